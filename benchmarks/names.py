"""Street and municipality names that look Flemish / Dutch, so that trigram search meets the same kind of
near-duplicates it meets in real data ("Kerkstraat" in every village, "Lindenlaan" beside "Lindendreef")."""

from __future__ import annotations

import random

STEMS = (
    "Kerk Molen School Dorp Stations Beek Linden Eiken Berken Wilgen Populieren Kastanje Beuken Esdoorn Vlier "
    "Meidoorn Hazelaar Rozen Tulpen Lelie Akker Veld Weide Heide Bos Berg Dal Brug Dijk Haven Markt Kasteel Abdij "
    "Klooster Kapel Hoeve Smids Bakkers Brouwers Wevers Vissers Schippers Zand Klei Veen Water Zee Duin Polder "
    "Noord Zuid Oost West Hoog Laag Groen Zonne Vogel Merel Lijster Zwaluw Koekoek Leeuwerik Reiger Kievit Uilen "
    "Valken Zwanen Hof Kouter Meers Gaver Broek Donk Kamp Laar Voorde Spui Sluis Toren Poort Wal Vest Singel "
    "Leie Schelde Maas Rijn IJssel Vaart Kanaal Spoor Tram Fabriek Brouwerij Mouterij Steen Pannen Tichel "
    "Appel Peren Kersen Pruimen Noten Hop Vlas Koren Tarwe Haver Gerst Rogge Bieten Klaver Boter Kaas"
).split()
PEOPLE = (
    "Burgemeester Vandenbroucke|Pastoor De Smet|Koning Albert|Koningin Astrid|Prins Hendrik|Graaf van Vlaanderen|"
    "Jan Van Eyck|Pieter Breughel|Guido Gezelle|Hendrik Conscience|Rembrandt|Vondel|Multatuli|Thorbecke|"
    "Willem Lodewijk|Johan de Witt|Van Maerlant|Hugo de Groot|Emile Verhaeren|Jacob van Artevelde|Pater Damiaan|"
    "Karel de Grote|Sint-Jozef|Sint-Martinus|Sint-Amandus|Sint-Elooi|Onze-Lieve-Vrouw|Dokter Verhaeghe|"
    "Burgemeester Jansen|Wethouder de Vries|Generaal Leman|Kapitein Fryatt|Leopold|Albrecht Rodenbach|"
    "Peter Benoit|Stijn Streuvels|Felix Timmermans|Anton Bergmann|Paul de Mont|Cyriel Buysse|Van Heemskerck|"
    "Piet Hein|Michiel de Ruyter|Anne Frank|Mgr. Nolens|Dr. Schaepman|Van Speijk|Tollens|Bilderdijk|Huygens"
).split("|")
SUFFIXES = (
    ["straat"] * 8
    + ["laan"] * 3
    + ["weg"] * 3
    + "plein dreef steenweg kaai hof pad singel gracht dijk veld erf wegel plantsoen kade dam hoek".split()
)
ADJECTIVES = "Oude Nieuwe Korte Lange Grote Kleine Hoge Lage Noordelijke Zuidelijke".split()

TOWN_ROOTS = (
    "Wester Ooster Noorder Zuider Zand Hout Brug Meer Eke Kort Lede Ronse Waas Ver Hal Mol Lo Lier Aalst Gent "
    "Brakel Zottegem Wetter Zele Lokeren Temse Boom Rum Bornem Puurs Haren Roden Assen Emmen Meppel Zwolle Kampen "
    "Elst Bemmel Ede Epe Heerde Olst Wijhe Raalte Lochem Borne Hengelo Goor Rijssen Nijver Zonne Lange Groot "
    "Klein Heist Oost West Sint-Pieters Sint-Jans Sint-Kruis Sint-Laureins Onze-Lieve-Vrouw Beveren Vlier"
).split()
TOWN_SUFFIXES = (
    "kerke hove dam veen broek gem hem zele lare ingen um beek berg horst hout dorp recht voorde loo wijk".split()
)


def street_name(rng: random.Random) -> str:
    suffix = rng.choice(SUFFIXES)
    roll = rng.random()
    if roll < 0.22:
        person = rng.choice(PEOPLE)
        return f"{person}{suffix}" if suffix[0].islower() else f"{person} {suffix}"
    stem = rng.choice(STEMS)
    if roll < 0.35:
        # "Oude Molenweg", "Korte Kerkstraat"
        return f"{rng.choice(ADJECTIVES)} {stem}{suffix}"
    if roll < 0.45:
        # "Lindenhofstraat": two stems
        return f"{stem}{rng.choice(STEMS).lower()}{suffix}"
    return f"{stem}{suffix}"


def municipality_name(rng: random.Random) -> str:
    return f"{rng.choice(TOWN_ROOTS)}{rng.choice(TOWN_SUFFIXES)}"
