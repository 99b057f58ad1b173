//! Name tables for generated workers. Elanza has no family-name prefix field: the prefix is
//! part of `lastName` ("van der Berg"), so the tables keep them together the same way.

pub(super) const GIVEN: &[&str] = &[
    "Anne", "Bram", "Daan", "Emma", "Fleur", "Femke", "Ingrid", "Jan", "Joost", "Julia", "Kees",
    "Lieke", "Lotte", "Maarten", "Marieke", "Noor", "Pieter", "Roos", "Sanne", "Sem", "Sophie",
    "Thijs", "Tess", "Willem", "Yara", "Zoë", "Özlem", "Mohammed", "Renée", "Chloë",
];

pub(super) const PREFIXES: &[&str] = &[
    "", "", "", "", "van", "van der", "van den", "de", "den", "ter", "van 't", "in 't",
];

pub(super) const FAMILY: &[&str] = &[
    "Berg",
    "Boer",
    "Bos",
    "Brink",
    "Dijk",
    "Graaf",
    "Haan",
    "Hoek",
    "Jansen",
    "Jong",
    "Kok",
    "Leeuw",
    "Meer",
    "Mulder",
    "Peters",
    "Smit",
    "Veen",
    "Visser",
    "Vries",
    "Wal",
    "Wit",
    "Bakker",
    "Hendriks",
    "Dekker",
    "Hout",
    "Laar",
    "Yılmaz",
    "Ängström",
];

/// Department names with the site prefix Elanza customers put before the first `_`.
pub(super) const DEPARTMENTS: &[(&str, &str)] = &[
    ("IC", "UMC_Intensive Care"),
    ("SEH", "UMC_Spoedeisende Hulp"),
    ("CHIR", "UMC_Chirurgie"),
    ("NEU", "UMC_Neurologie"),
    ("KGN", "WKZ_Kindergeneeskunde"),
    ("VERL", "WKZ_Verloskunde"),
    ("GER", "ZHA_Geriatrie_Dagbehandeling"),
    ("OK", "ZHA_Operatiekamers"),
];

/// Products (what a shift is for) with the HR function code they map to.
pub(super) const PRODUCTS: &[(&str, &str)] = &[
    ("Verpleegkundige", "VPK"),
    ("IC-verpleegkundige", "ICVPK"),
    ("SEH-verpleegkundige", "SEHVPK"),
    ("Verzorgende IG", "VIG"),
    ("Helpende", "HLP"),
    ("Operatieassistent", "OKA"),
    ("Kraamverzorgende", "KRV"),
    ("Anesthesiemedewerker", "ANM"),
];

pub(super) const SKILLS: &[&str] = &[
    "BIG-registratie",
    "Reanimatie",
    "Medicatie toedienen",
    "Infuus aanleggen",
    "Kinderen",
    "Beademing",
];

pub(super) const BRANDS: &[&str] = &["Universitair Medisch Centrum", "Ziekenhuis Amstelland"];
