"""The default questionnaire a zone can copy and adapt: ten themes with two or three questions each, in Dutch,
French and English. Theme keys are stable: comparisons and aggregates group on them across versions."""

from __future__ import annotations

A, S, Y, T = "agree_1_5", "score_0_10", "yes_no", "text"

# (key, {lang: name}, [(question key, kind, {lang: text}, higher_is_better, counts_for_theme_score)])
DEFAULT_THEMES: list[tuple[str, dict, list[tuple[str, str, dict, bool, bool]]]] = [
    (
        "verkeer",
        {"nl": "Verkeer", "fr": "Circulation", "en": "Traffic"},
        [
            (
                "veilig",
                S,
                {
                    "nl": "Hoe veilig voelt het verkeer in de buurt aan? (0 = zeer onveilig, 10 = zeer veilig)",
                    "fr": "La circulation dans le quartier semble-t-elle sûre ? (0 = très dangereuse, 10 = très sûre)",
                    "en": "How safe does traffic in the area feel? (0 = very unsafe, 10 = very safe)",
                },
                True,
                True,
            ),
            (
                "snelheid",
                A,
                {
                    "nl": "Er wordt vaak te snel gereden.",
                    "fr": "On roule souvent trop vite.",
                    "en": "People often drive too fast.",
                },
                False,
                True,
            ),
            (
                "parkeren",
                A,
                {
                    "nl": "Foutparkeren is een probleem.",
                    "fr": "Le stationnement gênant pose problème.",
                    "en": "Illegal parking is a problem.",
                },
                False,
                True,
            ),
        ],
    ),
    (
        "overlast",
        {"nl": "Overlast", "fr": "Nuisances", "en": "Nuisance"},
        [
            (
                "lawaai",
                A,
                {
                    "nl": "Er is vaak lawaaioverlast.",
                    "fr": "Il y a souvent des nuisances sonores.",
                    "en": "There is often noise nuisance.",
                },
                False,
                True,
            ),
            (
                "hinder",
                S,
                {
                    "nl": "Hoeveel hinder ervaart u in het algemeen? (0 = geen, 10 = zeer veel)",
                    "fr": "Quelle gêne ressentez-vous en général ? (0 = aucune, 10 = énorme)",
                    "en": "How much nuisance do you experience overall? (0 = none, 10 = a lot)",
                },
                False,
                True,
            ),
        ],
    ),
    (
        "jeugdoverlast",
        {"nl": "Jeugdoverlast", "fr": "Nuisances liées aux jeunes", "en": "Youth nuisance"},
        [
            (
                "hangjongeren",
                A,
                {
                    "nl": "Groepen jongeren veroorzaken overlast.",
                    "fr": "Des groupes de jeunes causent des nuisances.",
                    "en": "Groups of young people cause nuisance.",
                },
                False,
                True,
            ),
            (
                "aanspreekbaar",
                Y,
                {
                    "nl": "Zijn de jongeren aanspreekbaar?",
                    "fr": "Peut-on s'adresser aux jeunes ?",
                    "en": "Can the young people be approached?",
                },
                True,
                True,
            ),
        ],
    ),
    (
        "inbraak",
        {"nl": "Inbraak", "fr": "Cambriolages", "en": "Burglary"},
        [
            (
                "angst",
                A,
                {
                    "nl": "Ik ben bang voor inbraak.",
                    "fr": "J'ai peur des cambriolages.",
                    "en": "I am afraid of burglary.",
                },
                False,
                True,
            ),
            (
                "recent",
                Y,
                {
                    "nl": "Was er het voorbije jaar een inbraak bij u of in de directe omgeving?",
                    "fr": "Y a-t-il eu un cambriolage chez vous ou à proximité l'année passée ?",
                    "en": "Was there a burglary at your place or close by in the past year?",
                },
                False,
                True,
            ),
        ],
    ),
    (
        "drugs",
        {"nl": "Drugs", "fr": "Drogues", "en": "Drugs"},
        [
            (
                "dealen",
                A,
                {
                    "nl": "Er wordt openlijk gedeald in de buurt.",
                    "fr": "On deale ouvertement dans le quartier.",
                    "en": "Drugs are dealt openly in the area.",
                },
                False,
                True,
            ),
            (
                "gebruik",
                A,
                {
                    "nl": "Drugsgebruik op straat stoort mij.",
                    "fr": "La consommation de drogues dans la rue me dérange.",
                    "en": "Drug use in the street bothers me.",
                },
                False,
                True,
            ),
        ],
    ),
    (
        "vandalisme",
        {"nl": "Vandalisme", "fr": "Vandalisme", "en": "Vandalism"},
        [
            (
                "beschadiging",
                A,
                {
                    "nl": "Er worden vaak zaken vernield of beklad.",
                    "fr": "Des biens sont souvent détruits ou tagués.",
                    "en": "Property is often damaged or defaced.",
                },
                False,
                True,
            ),
            (
                "herstel",
                Y,
                {
                    "nl": "Wordt schade snel hersteld?",
                    "fr": "Les dégâts sont-ils rapidement réparés ?",
                    "en": "Is damage repaired quickly?",
                },
                True,
                True,
            ),
        ],
    ),
    (
        "zwerfvuil",
        {"nl": "Zwerfvuil", "fr": "Déchets sauvages", "en": "Litter"},
        [
            (
                "netheid",
                S,
                {
                    "nl": "Hoe net is de buurt? (0 = zeer vuil, 10 = zeer net)",
                    "fr": "Le quartier est-il propre ? (0 = très sale, 10 = très propre)",
                    "en": "How clean is the area? (0 = very dirty, 10 = very clean)",
                },
                True,
                True,
            ),
            (
                "sluikstort",
                A,
                {
                    "nl": "Sluikstorten is een probleem.",
                    "fr": "Les dépôts clandestins posent problème.",
                    "en": "Fly-tipping is a problem.",
                },
                False,
                True,
            ),
        ],
    ),
    (
        "verlichting",
        {"nl": "Verlichting", "fr": "Éclairage", "en": "Lighting"},
        [
            (
                "voldoende",
                A,
                {
                    "nl": "De straatverlichting is voldoende.",
                    "fr": "L'éclairage public est suffisant.",
                    "en": "Street lighting is sufficient.",
                },
                True,
                True,
            ),
            (
                "donker",
                Y,
                {
                    "nl": "Zijn er plekken die u 's avonds mijdt omdat ze te donker zijn?",
                    "fr": "Y a-t-il des endroits que vous évitez le soir parce qu'ils sont trop sombres ?",
                    "en": "Are there places you avoid at night because they are too dark?",
                },
                False,
                True,
            ),
        ],
    ),
    (
        "sociale_cohesie",
        {"nl": "Sociale cohesie", "fr": "Cohésion sociale", "en": "Social cohesion"},
        [
            (
                "kennen",
                A,
                {
                    "nl": "De mensen in de buurt kennen elkaar.",
                    "fr": "Les habitants du quartier se connaissent.",
                    "en": "People in the area know each other.",
                },
                True,
                True,
            ),
            (
                "helpen",
                A,
                {"nl": "Buren helpen elkaar.", "fr": "Les voisins s'entraident.", "en": "Neighbours help each other."},
                True,
                True,
            ),
        ],
    ),
    (
        "veiligheidsgevoel",
        {"nl": "Veiligheidsgevoel", "fr": "Sentiment de sécurité", "en": "Feeling of safety"},
        [
            (
                "algemeen",
                S,
                {
                    "nl": "Hoe veilig voelt u zich in de buurt? (0 = zeer onveilig, 10 = zeer veilig)",
                    "fr": "Vous sentez-vous en sécurité dans le quartier ? (0 = pas du tout, 10 = tout à fait)",
                    "en": "How safe do you feel in the area? (0 = very unsafe, 10 = very safe)",
                },
                True,
                True,
            ),
            (
                "politie",
                A,
                {
                    "nl": "Ik weet hoe ik mijn wijkinspecteur kan bereiken.",
                    "fr": "Je sais comment joindre mon inspecteur de quartier.",
                    "en": "I know how to reach my neighbourhood officer.",
                },
                True,
                True,
            ),
            (
                "opmerking",
                T,
                {
                    "nl": "Wat zou de buurt veiliger maken?",
                    "fr": "Qu'est-ce qui rendrait le quartier plus sûr ?",
                    "en": "What would make the area safer?",
                },
                True,
                False,
            ),
        ],
    ),
]

DEFAULT_NAME = {"nl": "Sectorscan", "fr": "Scan de secteur", "en": "Sectorscan"}
