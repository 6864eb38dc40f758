"""Word lists the demo draws from: French, Polish and English people and places.

Lists are tuples of plain strings so that a generator only ever picks from
them; nothing here is random. Polish surnames ending in -ski/-cki/-dzki take
their feminine form (-ska/-cka/-dzka) for women, as they do in real life.
"""

from __future__ import annotations

# Word lists read best packed, many to a line.
# fmt: off

FIRST_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # country -> (women, men)
    "FR": (
        ("Zoé", "Gaëlle", "Léa", "Chloé", "Manon", "Camille", "Inès", "Éloïse", "Amélie",
         "Hélène", "Cécile", "Margaux", "Océane", "Anaïs", "Émilie", "Noémie", "Sophie",
         "Juliette", "Clémence", "Louise", "Maëlle", "Béatrice", "Françoise", "Agnès",
         "Mélanie", "Céline", "Laëtitia", "Aurélie", "Nathalie", "Valérie", "Brigitte",
         "Élodie", "Solène", "Capucine", "Josiane", "Ségolène", "Lucie", "Jeanne"),
        ("Jérôme", "François", "Théo", "Hugo", "Lucas", "Mathéo", "Noël", "Raphaël",
         "Gaël", "Loïc", "Benoît", "Cédric", "Frédéric", "Stéphane", "Sébastien", "Hervé",
         "Jean-Luc", "Jean-Marc", "Thierry", "Olivier", "Nicolas", "Julien", "Antoine",
         "Étienne", "Grégoire", "Rémi", "Timothée", "Maxime", "Baptiste", "Clément",
         "Aurélien", "Joël", "Pierre", "Yannick", "Arnaud", "Guillaume", "Xavier"),
    ),
    "PL": (
        ("Agnieszka", "Małgorzata", "Katarzyna", "Zofia", "Joanna", "Magdalena", "Anna",
         "Ewa", "Barbara", "Łucja", "Dorota", "Grażyna", "Elżbieta", "Jadwiga", "Bożena",
         "Urszula", "Aleksandra", "Justyna", "Weronika", "Marta", "Natalia", "Karolina",
         "Paulina", "Iwona", "Halina", "Danuta", "Teresa", "Wiesława", "Żaneta", "Oliwia",
         "Gabriela", "Monika", "Beata", "Renata", "Ilona", "Agata"),
        ("Łukasz", "Wojciech", "Józef", "Krzysztof", "Paweł", "Grzegorz", "Michał",
         "Piotr", "Tomasz", "Jarosław", "Przemysław", "Mirosław", "Zbigniew", "Bartłomiej",
         "Maciej", "Jakub", "Mateusz", "Kamil", "Dariusz", "Sławomir", "Radosław",
         "Stanisław", "Andrzej", "Marek", "Jacek", "Rafał", "Wiesław", "Leszek", "Kazimierz",
         "Bogdan", "Szymon", "Witold", "Adam", "Marcin", "Damian", "Jędrzej"),
    ),
    "GB": (
        ("Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Charlotte",
         "Harriet", "Eleanor", "Imogen", "Siobhan", "Niamh", "Fiona", "Rebecca", "Hannah",
         "Jessica", "Victoria", "Abigail", "Lucy", "Megan", "Sarah", "Rachel", "Catherine",
         "Kirsty", "Gemma", "Zoë", "Chloë", "Bethany", "Joanne", "Eileen", "Margaret"),
        ("Oliver", "George", "Harry", "Jack", "Jacob", "Charlie", "Thomas", "James",
         "William", "Alfie", "Rhys", "Callum", "Declan", "Hamish", "Angus", "Gareth",
         "Owen", "Dylan", "Edward", "Henry", "Samuel", "Daniel", "Matthew", "Christopher",
         "Stuart", "Graham", "Nigel", "Ian", "Neil", "Rory", "Alistair", "Seán"),
    ),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "FR": (
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
        "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
        "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre",
        "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
        "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel",
        "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez",
        "Fontaine", "Chevalier", "Robin", "Masson", "Sánchez", "Gérard", "Nguyen", "Boyer",
        "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël",
        "Meyer", "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour", "Blanchard",
        "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez",
        "Pierre", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc",
        "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Philippe",
        "Lacroix", "Dupuis", "Olivier", "Rodriguez", "Lévêque", "Bénard", "Hébert",
        "Lefèbvre", "Béranger", "Château", "Ménard", "Desprès", "Crétin", "Besançon",
        "Daoust", "Lagarde", "Bouvier", "Prévost", "Hoarau", "Le Goff", "Le Gall",
    ),
    "PL": (
        "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński",
        "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski",
        "Jankowski", "Mazur", "Kwiatkowski", "Krawczyk", "Piotrowski", "Grabowski",
        "Nowakowski", "Pawłowski", "Michalski", "Nowicki", "Adamczyk", "Dudek", "Zając",
        "Wieczorek", "Jabłoński", "Król", "Majewski", "Olszewski", "Jaworski", "Wróbel",
        "Malinowski", "Pawlak", "Witkowski", "Walczak", "Stępień", "Górski", "Rutkowski",
        "Michalak", "Sikora", "Ostrowski", "Baran", "Duda", "Szewczyk", "Tomaszewski",
        "Pietrzak", "Marciniak", "Wróblewski", "Zalewski", "Jakubowski", "Jasiński",
        "Zawadzki", "Sadowski", "Bąk", "Chmielewski", "Włodarczyk", "Borkowski",
        "Czarnecki", "Sawicki", "Sokołowski", "Urbański", "Kubiak", "Maciejewski",
        "Szczepański", "Kucharski", "Wilk", "Kalinowski", "Lis", "Mazurek", "Wysocki",
        "Adamski", "Kaźmierczak", "Wasilewski", "Sobczak", "Czerwiński", "Andrzejewski",
        "Cieślak", "Głowacki", "Zakrzewski", "Kołodziej", "Sikorski", "Krajewski",
        "Gajewski", "Szymczak", "Szulc", "Baranowski", "Laskowski", "Brzeziński",
        "Makowski", "Ziółkowski", "Przybylski", "Żak", "Śliwiński", "Łuczak", "Żurawski",
        "Kęsicki", "Gołębiowski", "Ściegienny", "Wrzesiński", "Pęczek", "Grzegorczyk",
    ),
    "GB": (
        "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson",
        "Thomas", "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White",
        "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel",
        "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore",
        "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott",
        "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths",
        "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell",
        "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson",
        "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman",
        "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain", "Campbell",
        "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
        "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon",
        "O'Brien", "O'Connor", "McDonald", "MacLeod", "Fitzgerald", "Müller", "Schäfer",
        "Brontë", "Øvergaard", "Nørgaard", "Ó Súilleabháin", "Ní Bhriain", "Fernández",
    ),
}

# Legal forms of companies by country, with a weight each.
LEGAL_FORMS: dict[str, tuple[tuple[str, int], ...]] = {
    "FR": (("SARL", 5), ("SAS", 5), ("SA", 3), ("EURL", 1), ("SCOP", 1)),
    "PL": (("Sp. z o.o.", 8), ("S.A.", 2), ("sp.j.", 1), ("sp.k.", 1)),
    "GB": (("Ltd", 8), ("PLC", 1), ("LLP", 1), ("GmbH", 2), ("AG", 1)),
}

COMPANY_WORDS: dict[str, tuple[str, ...]] = {
    "FR": ("Atelier", "Groupe", "Maison", "Société", "Comptoir", "Cabinet", "Laboratoires",
           "Établissements", "Éditions", "Ateliers", "Fromagerie", "Brasserie", "Bureau"),
    "PL": ("Zakład", "Przedsiębiorstwo", "Pracownia", "Grupa", "Hurtownia", "Biuro",
           "Wytwórnia", "Spółdzielnia", "Fabryka", "Drukarnia", "Piekarnia", "Centrum"),
    "GB": ("Northern", "Albion", "Thames", "Pennine", "Highland", "Cotswold", "Mersey",
           "Severn", "Clyde", "Tyne", "Lakeland", "Wessex", "Kingsway", "Castle"),
}

SECTORS: dict[str, tuple[str, ...]] = {
    "FR": ("Conseil", "Logistique", "Informatique", "Bâtiment", "Énergie", "Transports",
           "Menuiserie", "Électricité", "Imprimerie", "Assurances", "Santé", "Textile",
           "Agroalimentaire", "Télécom", "Ingénierie", "Distribution", "Médical"),
    "PL": ("Budownictwo", "Logistyka", "Informatyka", "Transport", "Energetyka",
           "Doradztwo", "Poligrafia", "Meble", "Handel", "Spedycja", "Elektronika",
           "Ubezpieczenia", "Żywność", "Stal", "Systemy", "Technologie"),
    "GB": ("Consulting", "Logistics", "Software", "Engineering", "Builders", "Energy",
           "Freight", "Analytics", "Print", "Foods", "Textiles", "Systems", "Medical",
           "Holdings", "Ventures", "Trading", "Plastics", "Haulage"),
}

INVENTED: tuple[str, ...] = (
    "Novatek", "Axéa", "Lumis", "Kerbat", "Optima", "Vertigo", "Silvana", "Polimex",
    "Budimex", "Elmar", "Techbud", "Orzeł", "Wisła", "Mazovia", "Sudety", "Bałtyk",
    "Helios", "Quantix", "Arcadia", "Brightwell", "Kingfisher", "Oakridge", "Redwood",
    "Stonebridge", "Alpenblick", "Edelweiß", "Rheinwerk", "Müllerhof", "Lorraine",
    "Armor", "Provençale", "Cévennes", "Méridien", "Estérel", "Vosges", "Oléron",
)

TITLES: dict[str, tuple[str, ...]] = {
    "FR": ("Directeur commercial", "Directrice générale", "Responsable achats",
           "Chef de projet", "Comptable", "Assistante de direction", "Gérant",
           "Responsable informatique", "Ingénieur d'affaires", "DRH", "Acheteuse",
           "Responsable logistique", "Président", "Technicien", "Juriste"),
    "PL": ("Dyrektor handlowy", "Prezes zarządu", "Kierownik zakupów", "Kierownik projektu",
           "Główna księgowa", "Asystentka zarządu", "Specjalista ds. sprzedaży",
           "Kierownik IT", "Właściciel", "Kierownik logistyki", "Kadrowa", "Inżynier",
           "Menedżer produktu", "Radca prawny", "Handlowiec"),
    "GB": ("Sales Director", "Managing Director", "Procurement Manager", "Project Manager",
           "Finance Director", "Office Manager", "Account Manager", "Head of IT",
           "Operations Manager", "HR Business Partner", "Buyer", "CEO", "Engineer",
           "Company Secretary", "Logistics Coordinator"),
}

# (city, postcode pattern with # for a digit, region)
CITIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "FR": (("Paris", "750##", "Île-de-France"), ("Lyon", "6900#", "Auvergne-Rhône-Alpes"),
           ("Marseille", "130##", "Provence-Alpes-Côte d'Azur"),
           ("Lille", "59000", "Hauts-de-France"),
           ("Nantes", "44###", "Pays de la Loire"), ("Bordeaux", "33###", "Nouvelle-Aquitaine"),
           ("Toulouse", "31###", "Occitanie"), ("Strasbourg", "67###", "Grand Est"),
           ("Rennes", "35###", "Bretagne"), ("Nice", "06###", "Provence-Alpes-Côte d'Azur"),
           ("Besançon", "25000", "Bourgogne-Franche-Comté"),
           ("Orléans", "45000", "Centre-Val de Loire"),
           ("Saint-Étienne", "42###", "Auvergne-Rhône-Alpes"), ("Nîmes", "30###", "Occitanie")),
    "PL": (("Warszawa", "0#-###", "mazowieckie"), ("Kraków", "3#-###", "małopolskie"),
           ("Łódź", "9#-###", "łódzkie"), ("Wrocław", "5#-###", "dolnośląskie"),
           ("Poznań", "6#-###", "wielkopolskie"), ("Gdańsk", "80-###", "pomorskie"),
           ("Szczecin", "7#-###", "zachodniopomorskie"),
           ("Bydgoszcz", "85-###", "kujawsko-pomorskie"),
           ("Lublin", "20-###", "lubelskie"), ("Katowice", "40-###", "śląskie"),
           ("Białystok", "15-###", "podlaskie"), ("Rzeszów", "35-###", "podkarpackie"),
           ("Toruń", "87-100", "kujawsko-pomorskie"), ("Częstochowa", "42-2##", "śląskie")),
    "GB": (("London", "EC1A #BB", "Greater London"), ("Manchester", "M# #AE", "Greater Manchester"),
           ("Birmingham", "B# #AA", "West Midlands"), ("Leeds", "LS# #AD", "West Yorkshire"),
           ("Glasgow", "G# #DA", "Scotland"), ("Edinburgh", "EH# #YZ", "Scotland"),
           ("Bristol", "BS# #TT", "Somerset"), ("Cardiff", "CF## #SN", "Wales"),
           ("Belfast", "BT# #AA", "Northern Ireland"),
           ("Cambridge", "CB# #EZ", "Cambridgeshire"),
           ("Liverpool", "L# #JD", "Merseyside"),
           ("Newcastle upon Tyne", "NE# #AD", "Tyne and Wear")),
}

STREETS: dict[str, tuple[str, ...]] = {
    "FR": ("rue de la République", "avenue Jean-Jaurès", "boulevard Voltaire", "rue Victor-Hugo",
           "place de l'Église", "rue des Écoles", "chemin des Prés", "allée des Tilleuls",
           "rue du Général-Leclerc", "quai de Saône", "rue Pasteur", "impasse des Lilas",
           "avenue de la Gare", "rue Émile-Zola", "rue Saint-Honoré", "cours Mirabeau"),
    "PL": ("ul. Marszałkowska", "ul. Piotrkowska", "al. Jerozolimskie", "ul. Długa",
           "ul. Świętokrzyska", "ul. Mickiewicza", "ul. Kościuszki", "os. Słoneczne",
           "ul. Grunwaldzka", "ul. Żeromskiego", "al. Niepodległości", "ul. Floriańska",
           "ul. Wrocławska", "ul. Łąkowa", "pl. Wolności", "ul. Ogrodowa"),
    "GB": ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane",
           "Park Avenue", "King Street", "Queen's Road", "The Green", "Baker Street",
           "London Road", "Manor Close", "Castle Street", "Bridge Street", "Albert Embankment"),
}

FREE_MAIL: dict[str, tuple[str, ...]] = {
    "FR": ("orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr", "wanadoo.fr"),
    "PL": ("wp.pl", "o2.pl", "onet.pl", "interia.pl", "gmail.com", "gazeta.pl"),
    "GB": ("gmail.com", "btinternet.com", "outlook.com", "yahoo.co.uk", "sky.com"),
}

TLD = {"FR": "fr", "PL": "pl", "GB": "co.uk"}
COMPANY_MAILBOX = {"FR": ("contact", "info", "accueil", "compta"),
                   "PL": ("biuro", "kontakt", "sekretariat", "info"),
                   "GB": ("info", "hello", "sales", "accounts")}

TAGS: tuple[tuple[str, int], ...] = (
    ("VIP", 3), ("newsletter", 12), ("salon-2026", 5), ("Targi Poznań", 3),
    ("partenaire", 4), ("export", 4), ("B2B", 8), ("B2C", 3), ("événement", 3),
    ("rappel", 2), ("referral", 3), ("trade-show", 3), ("gros compte", 2),
    ("kluczowy klient", 2), ("upsell", 3), ("à relancer", 4), ("churn-risk", 2),
    ("public sector", 2), ("startup", 3), ("Zażółć", 1),
)

CONTACT_TYPES = (("Client", 30), ("Prospect", 40), ("Supplier", 8), ("Partner", 8),
                 ("Competitor", 2), ("Reseller", 4))
TEMPERATURES = (("cold", 5), ("warm", 4), ("hot", 2))
TASK_CATEGORIES = ("Call back", "Send quote", "Follow-up", "Meeting prep", "Paperwork")
ACTIVITY_CATEGORIES = ("Prospecting", "Demo", "Support", "Negotiation", "Training")
INDUSTRIES = ("Manufacturing", "Retail", "Services", "Public sector", "Healthcare", "IT")

SALES_REPS = (
    ("Camille Rousseau", "admin"), ("Łukasz Wiśniewski", "user"), ("Hannah Price", "user"),
    ("Gaëlle Le Goff", "user"), ("Wojciech Mazur", "user"), ("Oliver Bennett", "user"),
    ("Zoé Lefèvre", "user"), ("Józef Kaźmierczak", "user"), ("Siobhan Kelly", "readonly"),
    ("Mathéo Girard", "user"), ("Małgorzata Żak", "user"), ("Rhys Griffiths", "user"),
)
# fmt: on
