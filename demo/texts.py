"""What demo residents and facilitators write: Italian, about what the networks do for children.

This is content, as residents would type it, not interface text: it is never translated. `{q}` is
the neighbourhood's name.
"""

# (title, opening posts to choose from): threads in a neighbourhood group.
THREADS = [
    ("Doposcuola il sabato mattina a {q}", [
        "Cerchiamo due volontari per aiutare i ragazzi delle medie con i compiti. Qualcuno è libero?",
        "Mio figlio fa la seconda media e fatica in matematica: il doposcuola del sabato ha ancora posto?",
    ]),
    ("Spazio compiti in biblioteca", [
        "La biblioteca di {q} ci presta una sala il martedì dalle 16:30. Chi porta i bambini?",
        "Qualcuno sa se lo spazio compiti in biblioteca accetta anche i bambini di prima elementare?",
    ]),
    ("Pediatra di base: come si sceglie?", [
        "Siamo arrivati a {q} da poco e non sappiamo a chi chiedere per il pediatra.",
        "Il nostro pediatra va in pensione: qualcuno ha un consiglio nella zona di {q}?",
    ]),
    ("Banco alimentare: nuovi orari", [
        "Da questo mese la distribuzione a {q} è il giovedì pomeriggio, dalle 15 alle 18.",
        "Per il pacco alimentare serve ancora l'ISEE aggiornato? Qualcuno sa dirmi?",
    ]),
    ("Scambio vestiti per bambini 0-6", [
        "Portate quello che non va più bene: taglie dalla nascita ai sei anni, anche scarpe.",
        "Ho vestiti 2-3 anni in buono stato da regalare, li porto allo scambio di {q}.",
    ]),
    ("Corso di italiano per mamme", [
        "Con spazio bimbi accanto, due mattine a settimana. Iscrizioni allo sportello di {q}.",
        "Il corso di italiano per mamme riparte a ottobre? Una mia vicina vorrebbe iscriversi.",
    ]),
    ("Centri estivi: chi ha trovato posto?", [
        "Le iscrizioni ai centri estivi chiudono presto, condividiamo le informazioni.",
        "Ci sono centri estivi a prezzo ridotto vicino a {q}? Lavoro fino alle sei.",
    ]),
    ("Materiale scolastico per settembre", [
        "Raccolta di zaini, quaderni e astucci per l'inizio della scuola: portateli in portineria.",
        "Qualcuno sa se quest'anno c'è la dote scuola per i libri delle medie?",
    ]),
    ("Cortile aperto la domenica", [
        "Proponiamo di tenere aperto il cortile la domenica pomeriggio per far giocare i bambini.",
        "Domenica scorsa c'erano più di venti bambini in cortile: rifacciamolo!",
    ]),
    ("Sportello casa e bollette", [
        "Un'operatrice aiuta a leggere le bollette e a chiedere i bonus, il mercoledì a {q}.",
        "Ci è arrivata una bolletta altissima: dove possiamo chiedere aiuto?",
    ]),
    ("Merenda insieme al parco", [
        "Ognuno porta qualcosa, i bambini giocano e ci conosciamo. Sabato alle 16?",
        "Bella la merenda di ieri! Prossima volta portiamo anche i giochi da tavolo.",
    ]),
    ("Lettura ad alta voce 0-3 anni", [
        "Nati per leggere: storie per i più piccoli con i genitori, in biblioteca a {q}.",
        "Cerco libri in arabo e in spagnolo per bambini piccoli: qualcuno ne ha?",
    ]),
    ("Passeggini e seggiolini da regalare", [
        "Regalo un passeggino in buono stato, chi ne ha bisogno mi scriva qui.",
        "Cerchiamo un seggiolino auto per una famiglia appena arrivata a {q}.",
    ]),
    ("Iscrizioni alla scuola dell'infanzia", [
        "Le iscrizioni sono online: allo sportello di {q} aiutano a compilare la domanda.",
        "Non abbiamo lo SPID: come si fa l'iscrizione alla scuola dell'infanzia?",
    ]),
    ("Calcio per i ragazzi al campetto", [
        "L'allenatore della parrocchia cerca ragazzi tra 10 e 14 anni, gratis, il mercoledì.",
        "Servono scarpe da calcio taglia 36 e 38: qualcuno le ha da parte?",
    ]),
]

REPLIES = [
    "Io ci sono, porto anche mia figlia.", "Grazie per l'informazione!", "A che ora si comincia?",
    "Posso dare una mano il sabato.", "Anche noi siamo interessati.", "Ci vediamo lì.",
    "Serve qualcosa da portare?", "Ottima idea, la giro alle altre mamme della scuola.",
    "Lo sportello di via Odazio aiuta anche con questo.", "Noi ci siamo stati, si trovano bene.",
    "Grazie, non lo sapevo!", "Mia sorella può tradurre in arabo se serve.",
    "Si può venire anche con il passeggino?", "C'è posto anche per un bambino di tre anni?",
    "Chiedo in portineria e vi faccio sapere.", "Bellissima iniziativa, grazie a chi la organizza.",
    "Io lavoro fino alle sei, c'è qualcosa più tardi?", "Confermo, ci sono andata ieri ed era aperto.",
    "Qualcuno va in quella direzione e può dare un passaggio?", "Porto i biscotti!",
]

# (title, opening posts): the city-wide thematic tables, where networks' workers and parents meet.
TABLE_THREADS = [
    ("Verbale dell'ultimo incontro", ["Ecco i punti principali dell'incontro: ne parliamo qui prima del prossimo."]),
    ("Buone pratiche da condividere", ["Nel nostro quartiere ha funzionato bene: raccontateci le vostre."]),
    ("Dati sui bisogni delle famiglie",
     ["Raccogliamo qui i numeri che ogni rete ha: quante famiglie, quali richieste."]),
    ("Prossimo incontro del tavolo", ["Proposte di data e ordine del giorno per il prossimo incontro."]),
]

# (title, kind, description, hours long, local start hour, age bands, childcare likely, seats to choose from)
EVENTS = [
    ("Laboratorio di lettura per bambini", "workshop", "Storie, disegni e merenda: per bambini con un adulto.",
     1.5, 17, ["3-6", "6-11"], False, [10, 12, 15]),
    ("Incontro della rete di quartiere", "meeting", "Aperto a tutte le famiglie: cosa serve, cosa facciamo insieme.",
     2, 18, [], True, [None, 30, 40]),
    ("Spesa solidale", "mutual_aid", "Distribuzione di frutta, verdura e prodotti per l'infanzia.",
     2, 15, [], False, [20, 25, 30]),
    ("Sportello aperto: iscrizioni e bonus", "open_desk", "Aiuto per domande di bonus, iscrizioni scolastiche, ISEE.",
     3, 9, [], True, [None, 12]),
    ("Laboratorio di cucina con le famiglie", "workshop", "Cuciniamo insieme ricette da tanti paesi.",
     2.5, 16, ["6-11", "11-14"], False, [8, 10, 12]),
    ("Compiti insieme", "mutual_aid", "Volontari e genitori aiutano i ragazzi con i compiti.",
     2, 16, ["6-11", "11-14"], False, [10, 15, 20]),
    ("Gruppo di gioco 0-3 anni", "workshop", "Uno spazio per i più piccoli e per chi li accompagna.",
     1.5, 10, ["0-3"], False, [8, 10]),
    ("Corso di italiano per mamme", "workshop", "Lezione di italiano con spazio bimbi accanto.",
     2, 9, [], True, [12, 15]),
    ("Scambio vestiti e giocattoli", "mutual_aid", "Portate quello che non serve più, prendete ciò che serve.",
     3, 10, ["0-3", "3-6", "6-11"], False, [None, 40]),
]
# Other languages a session may be held in, besides Italian (events.models.LANGUAGE_CODES).
EVENT_LANGUAGES = ["ar", "es", "en", "zh", "tl", "bn", "uk", "ro"]
PLACES = ["Spazio di quartiere", "Biblioteca", "Casa di quartiere", "Oratorio", "Cortile condiviso",
          "Centro civico"]
ACCESSIBILITY = ["Accessibile in carrozzina.", "Ingresso con un gradino, c'è una rampa mobile.", ""]
CANCEL_REASONS = ["Maltempo: rinviato a una nuova data.", "L'educatrice è malata, ci scusiamo.",
                  "La sala non è disponibile: troveremo un'altra data."]

# (title, summary, theme): `{q}` is the neighbourhood.
PROPOSALS = [
    ("Doposcuola gratuito il sabato a {q}", "Un doposcuola nel cortile il sabato mattina per le medie.", "school"),
    ("Giochi nuovi al giardino di {q}", "Sostituire i giochi rotti del giardino di quartiere.", "public_space"),
    ("Spazio allattamento al mercato", "Un angolo tranquillo per le mamme al mercato comunale.", "early_years"),
    ("Corsi di nuoto a prezzo ridotto", "Accordo con la piscina per le famiglie con ISEE basso.", "culture_sport"),
    ("Frigo solidale in portineria", "Un frigorifero condiviso per non sprecare cibo.", "food"),
    ("Consultorio aperto il sabato", "Aprire il consultorio anche il sabato mattina.", "health"),
    ("Sportello casa a {q}", "Un'ora a settimana per sfratti, affitti e case popolari.", "housing"),
    ("Orientamento al lavoro per genitori", "Incontri su CV e colloqui, con spazio bimbi.", "work"),
    ("Banca del tempo tra famiglie di {q}", "Ci scambiamo ore: babysitter, compiti, piccole riparazioni.",
     "mutual_aid"),
    ("Pedibus per la scuola di {q}", "Genitori a turno accompagnano a piedi i bambini a scuola.", "school"),
]
PROPOSAL_DETAILS = [
    "Serve una stanza, due volontari per turno e un piccolo budget per il materiale.",
    "Ne abbiamo parlato all'incontro di rete: molte famiglie sono interessate.",
    "Chiediamo al Municipio e alle associazioni della rete di sostenerla.",
]
ANSWERS = {
    "accepted": ["La rete si impegna a realizzarla entro l'anno: vi aggiorneremo qui.",
                 "Accolta: il Municipio mette a disposizione lo spazio, la rete i volontari."],
    "not_accepted": ["Non ci sono fondi quest'anno; la riproporremo al tavolo del Municipio.",
                     "Non è di competenza della rete: abbiamo girato la richiesta all'ufficio comunale."],
}

REPORT_NOTES = ["", "", "Ci sono dati personali di una bambina.", "Sembra pubblicità.", "Tono offensivo."]
DECISION_REASONS = {
    "hide": ["Contiene dati personali.", "Tono non rispettoso: riscrivilo con calma."],
    "delete": ["Pubblicità non pertinente al gruppo."],
    "restore": ["Va bene così.", ""],
}

FIRST_NAMES = ["Amina", "Luca", "Giulia", "Omar", "Sofia", "Karim", "Chiara", "Maria", "Ahmed", "Elena",
               "Rosa", "Jun", "Fatima", "Marco", "Ana", "Yusuf", "Sara", "Carlos", "Mei", "Olena",
               "Nadia", "Paolo", "Ines", "Rahim", "Aisha", "Davide", "Lucia", "Andrea", "Hana", "Tomas",
               "Joy", "Nimal", "Samira", "Rocio", "Ioana", "Mohamed", "Francesca", "Jasmine", "Kevin", "Lina"]
NICKNAME_SHAPES = ["{name}{n}", "{lower}.{n}", "{lower}_{n}", "{name} {n}", "famiglia.{lower}{n}"]
