"""The sector portfolios ESCA compares cluster organisations within (methodology §5)."""

from __future__ import annotations

SECTORS: dict[str, tuple[str, str]] = {
    "energy_environment": ("Energy and environment", "Energie und Umwelt"),
    "creative_industries": ("Creative industries", "Kreativwirtschaft"),
    "production_engineering": ("Production and engineering", "Produktion und Maschinenbau"),
    "aviation_space": ("Aviation and space", "Luft- und Raumfahrt"),
    "ict": ("ICT", "IKT"),
    "food": ("Food industry", "Lebensmittelindustrie"),
    "materials_chemistry": ("New materials and chemistry", "Neue Materialien und Chemie"),
    "transport_logistics": ("Transportation and logistics", "Verkehr und Logistik"),
    "biotechnology": ("Biotechnology", "Biotechnologie"),
    "construction": ("Construction", "Bauwirtschaft"),
    "health_medical": ("Health and medical science", "Gesundheit und Medizin"),
    "micro_nano_optics": ("Micro, nano and optical technologies", "Mikro-, Nano- und optische Technologien"),
    "sports_leisure_tourism": ("Sports, leisure and tourism", "Sport, Freizeit und Tourismus"),
    "maritime_water": ("Maritime technologies, water resources", "Meerestechnik, Wasserressourcen"),
}


def sector_label(sector_id: str, lang: str = "en") -> str:
    labels = SECTORS.get(sector_id)
    if labels is None:
        return sector_id
    return labels[1] if lang == "de" else labels[0]


def find_sector(text: str) -> str | None:
    """A sector id from its id or its English/German name (case-insensitive)."""
    wanted = text.strip().lower()
    for sector_id, (en, de) in SECTORS.items():
        if wanted in (sector_id, en.lower(), de.lower()):
            return sector_id
    return None
