"""Facts about Milan's networks, copied from the co-programming material (see seed/ in the design
notes). The portal reads them from here, never from outside the project."""

CITY = {"name": 'Milano', "country": 'IT'}

# (number, name, areas)
MUNICIPI = [
    (1, 'Municipio 1', 'Centro storico'),
    (2, 'Municipio 2', 'Stazione Centrale, Gorla, Turro, Greco, Crescenzago'),
    (3, 'Municipio 3', 'Citta Studi, Lambrate, Porta Venezia'),
    (4, 'Municipio 4', 'Porta Vittoria, Forlanini'),
    (5, 'Municipio 5', 'Vigentino, Chiaravalle, Gratosoglio'),
    (6, 'Municipio 6', 'Barona, Lorenteggio'),
    (7, 'Municipio 7', 'Baggio, De Angeli, San Siro'),
    (8, 'Municipio 8', 'Fiera, Gallaratese, Quarto Oggiaro'),
    (9, 'Municipio 9', 'Stazione Garibaldi, Niguarda'),
]

# (neighbourhood, Municipio number, lead organisations)
NEIGHBOURHOOD_NETWORKS = [
    ('Villapizzone', 8, ['Farsi Prossimo ONLUS']),
    ('Baggio', 7, ['Equa Coop. Sociale']),
    ('Selinunte', 7, ['Equa Coop. Sociale']),
    ('Loreto', 2, ['Comin Cooperativa Sociale di Solidarieta']),
    ('Viale Monza', 2, ["Coop. Soc. Onlus Tempo per L'infanzia"]),
    ('Padova', 2, ['Villa Pallavicini Associazione Culturale APS']),
    ('Forze Armate', 7, ['Consorzio Sir, Solidarieta in rete']),
    ('Barona', 6, ['La Cordata Soc. coop. Sociale']),
    ('Niguarda', 9, ['Diapason Coop. Soc.']),
    ('Quarto Oggiaro', 8, ['Ripari Coop. Soc. - impresa sociale']),
    ('Giambellino Lorenteggio', 6, ['APS Laboratorio di Quartiere Giambellino Lorenteggio']),
    ('Gallaratese', 8, ['Zerodiciotto A.P.S.', 'Mitades A.P.S.']),
    ('Lambrate', 3, ['Circolo ACLI Lambrate G. Bianchi ASD APS']),
    ('Parco Lambro', 3, ['Cascina Biblioteca soc. coop. Sociale a r.l.']),
    ('Ponte Lambro', 4, ['Ass. comunita il Gabbiano ODV']),
    ('Gratosoglio', 5, ['Lo Scrigno soc. coop. Sociale onlus']),
    ('Lodi-Corvetto', 4, ['La Strada soc. coop. Sociale']),
    ('Stadera', 5, ['Zero5 - laboratorio di utopie metropolitane coop soc.']),
    ('Bruzzano Comasina', 9, ['Fondazione Aquilone Onlus']),
    ('Umbria Molise', 4, ['Coop. Soc. Comunita progetto a r.l.']),
    ('Dergano', 9, ['Ass. Rob de Matt']),
    ('Citta Studi', 3, ['Cooperativa Sociale Eureka! Soc. Coop.']),
]

# Third-sector bodies that took part in the co-programming without leading a network.
OTHER_ORGANISATIONS = [
    'APS AmbienteAcqua',
    'Terre des Hommes Italia Onlus',
    'Piccolo Principe SCS Onlus',
    'Forum Cooperazione e Tecnologia ETS',
    'Cooperativa sociale Co.Esa soc. coop. a r.l.',
    'Medici in famiglia srl impresa sociale',
    'Fondazione Somaschi Onlus',
    'Centro per la salute del bambino onlus',
    'Mamme a scuola APS',
    'Giostra coop. Soc. onlus',
    'Istituto Beata Vergine Addolorata',
    'La lanterna ODV',
    'Emergency ONG Onlus',
    'Ass. La nostra comunita - ETS - ODV',
    "Associazione L'abilita Onlus",
    "L'impronta associazione Onlus",
    'AIAS ETS MILANO',
    'Fraternita e amicizia soc. coop. Sociale onlus',
    'AIBC Soc. Coop. Soc.',
    'ON SRL impresa sociale',
    'Cuore e parole onlus - associazione di promozione sociale',
    'CBM ITALIA ONLUS',
    'Ass.i.s.te scs coop soc',
    'Fondazione Asilo Mariuccia ONLUS',
    'Fondazione DAR Cesare Scarponi ETS',
    'Tiremm Innanz A.P.S.',
    'Associazione Piccolo Principe ETS',
    'Societa cooperativa sociale Cascina Bianca',
]

# (name, what it is about). The "about" is content, written in Italian as the tables write it; the
# English in the source material is kept alongside for readers of this file.
THEMATIC_TABLES = [
    ("0-1000 giorni", "I primi mille giorni: neomamme e famiglie con bambini piccoli, prevenzione."),
    # first thousand days: new mothers and families with babies, prevention
    ("Doposcuola", "La rete dei doposcuola della città (il documento ne conta 190)."),
    # network of after-school programmes (the document counts 190 in the city)
    ("Scuola e patti educativi di comunita",
     "Le scuole come partner strategici, i patti educativi di comunità."),
    # schools as strategic partners, community education pacts
    ("Salute", "Servizi per la salute: neuropsichiatria infantile (UONPIA), consultori, pediatri."),
    # health services: child neuropsychiatry, family clinics, paediatricians
    ("Abitare", "Accesso alla casa, cooperazione con l'edilizia residenziale pubblica (ERP)."),
    # housing access, public housing (ERP) cooperation
    ("Lavoro e occupabilita", "Le condizioni per l'occupabilità, non il collocamento."),
    # conditions for employability, not job placement
    ("Invisibili e accesso ai diritti",
     "Famiglie senza residenza o documenti, accesso ai diritti."),
    # families without residence or documents, access to rights
]
