"""What demo residents write: Italian, about what the networks actually do for children."""
TOPICS = [
    ("Doposcuola il sabato mattina", "Cerchiamo due volontari per aiutare i ragazzi delle medie con i compiti."),
    ("Spazio compiti in biblioteca", "La biblioteca ci presta una sala il martedì: chi porta i bambini?"),
    ("Pediatra di base: come si sceglie?", "Siamo arrivati da poco e non sappiamo a chi chiedere."),
    ("Banco alimentare: nuovi orari", "Da questo mese la distribuzione è il giovedì pomeriggio."),
    ("Scambio vestiti per bambini 0-6", "Portate quello che non va più bene: taglie dalla nascita ai sei anni."),
    ("Corso di italiano per mamme", "Con spazio bimbi accanto, due mattine a settimana."),
    ("Centri estivi: chi ha trovato posto?", "Le iscrizioni chiudono presto, condividiamo le informazioni."),
    ("Materiale scolastico a settembre", "Raccolta di zaini, quaderni e astucci per l'inizio della scuola."),
    ("Cortile aperto la domenica", "Proponiamo di tenere aperto il cortile per far giocare i bambini."),
    ("Sportello casa e bollette", "Un'operatrice aiuta a leggere le bollette e a chiedere i bonus."),
    ("Merenda insieme al parco", "Ognuno porta qualcosa, i bambini giocano e ci conosciamo."),
    ("Lettura ad alta voce 0-3 anni", "Nati per leggere: storie per i più piccoli con i genitori."),
]
REPLIES = [
    "Io ci sono, porto anche mia figlia.", "Grazie per l'informazione!", "A che ora si comincia?",
    "Posso dare una mano il sabato.", "Anche noi siamo interessati.", "Ci vediamo lì.",
    "Serve qualcosa da portare?", "Ottima idea, la giro alle altre mamme della scuola.",
]
EVENTS = [
    ("Laboratorio di lettura per bambini", "workshop"), ("Incontro della rete di quartiere", "meeting"),
    ("Spesa solidale", "mutual_aid"), ("Sportello aperto: iscrizioni e bonus", "open_desk"),
    ("Laboratorio di cucina con le famiglie", "workshop"), ("Compiti insieme", "mutual_aid"),
]
PROPOSALS = [
    ("Doposcuola gratuito il sabato", "Un doposcuola nel cortile il sabato mattina per le medie.", "school"),
    ("Giochi nuovi al giardino", "Sostituire i giochi rotti del giardino di quartiere.", "public_space"),
    ("Spazio allattamento al mercato", "Un angolo tranquillo per le mamme al mercato comunale.", "early_years"),
    ("Corsi di nuoto a prezzo ridotto", "Accordo con la piscina per le famiglie con ISEE basso.", "culture_sport"),
    ("Frigo solidale in portineria", "Un frigorifero condiviso per non sprecare cibo.", "food"),
    ("Orari del consultorio il sabato", "Aprire il consultorio anche il sabato mattina.", "health"),
]
ANSWERS = {
    "accepted": "La rete si impegna a realizzarla entro l'anno: vi aggiorneremo qui.",
    "not_accepted": "Non ci sono fondi quest'anno; la riproporremo al tavolo del Municipio.",
}
