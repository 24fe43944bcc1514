"""The report's words in Dutch (as the progress report writes them) and English (`--lang en`). The names of
stages, statuses and kinds are the app's one vocabulary (tracker.labels), not the report's own."""

from __future__ import annotations

import datetime as dt

from tracker.dates import PrecisionDate
from tracker.labels import label_in
from tracker.regulations.stages import Stage

LANGS = ("nl", "en")
MONTHS_NL_LONG = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
                  "november", "december")
MONTHS_EN_LONG = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December")

WORDS: dict[str, dict[str, str]] = {
    "title": {"nl": "Voortgangsrapportage uitvoering Europese digitale regelgeving",
              "en": "Progress report on the implementation of EU digital legislation"},
    "as_of": {"nl": "Stand per", "en": "As of"},
    "period": {"nl": "Verslagperiode", "en": "Reporting period"},
    "drawn_up": {"nl": "Opgesteld op", "en": "Drawn up on"},
    "filters": {"nl": "Selectie", "en": "Selection"},
    "no_filters": {"nl": "volledige portefeuille", "en": "whole portfolio"},
    "pillar": {"nl": "Pijler", "en": "Pillar"},
    "team": {"nl": "Team", "en": "Team"},
    "authority": {"nl": "Toezichthouder", "en": "Authority"},
    "kind": {"nl": "Soort", "en": "Kind"},
    "toc": {"nl": "Inhoud", "en": "Contents"},
    "toc_update": {"nl": "Werk de inhoudsopgave bij met F9 in Word.",
                   "en": "Update the table of contents with F9 in Word."},
    "roadmap": {"nl": "1. Voortgang en status uitvoering van Europese verordeningen",
                "en": "1. Progress and status of the implementation of EU regulations"},
    "figure_caption": {"nl": "Figuur 8: voortgang en status uitvoering van Europese verordeningen (stand {date})",
                       "en": "Figure 8: progress and status of the implementation of EU regulations (as of {date})"},
    "figure_part": {"nl": "deel {n} van {total}", "en": "part {n} of {total}"},
    "figure_heading": {"nl": "Voortgang uitvoering (stand {date})", "en": "Implementation progress (as of {date})"},
    "no_stage_acts": {"nl": "Zonder vastgelegde fase", "en": "Without a recorded stage"},
    "acts": {"nl": "2. Voortgang per rechtshandeling", "en": "2. Progress per act"},
    "no_pillar": {"nl": "Zonder pijler", "en": "Without pillar"},
    "stage": {"nl": "Fase", "en": "Stage"},
    "stage_none": {"nl": "Fase niet vastgelegd", "en": "Stage not recorded"},
    "since": {"nl": "sinds", "en": "since"},
    "eu_status": {"nl": "Status EU", "en": "EU status"},
    "instrument": {"nl": "Nationale uitvoering", "en": "National instrument"},
    "instruments": {"nl": "Nationale instrumenten", "en": "National instruments"},
    "changed": {"nl": "Wat is er veranderd", "en": "What changed"},
    "nothing_changed": {"nl": "Geen wijzigingen in deze periode.", "en": "No changes in this period."},
    "moved_to": {"nl": "Naar fase {stage} ({date})", "en": "Moved to {stage} ({date})"},
    "reference": {"nl": "referentie", "en": "reference"},
    "reason": {"nl": "reden", "en": "reason"},
    "deadline_new": {"nl": "Nieuwe termijn: {title} ({date})", "en": "New deadline: {title} ({date})"},
    "deadline_moved": {"nl": "Termijn verschoven: {title}, van {old} naar {new}",
                       "en": "Deadline moved: {title}, from {old} to {new}"},
    "deadline_changed": {"nl": "Termijn gewijzigd: {title}", "en": "Deadline changed: {title}"},
    "deadline_removed": {"nl": "Termijn vervallen: {title}", "en": "Deadline removed: {title}"},
    "designation_new": {"nl": "Nieuwe aanwijzing: {authority}, {role}", "en": "New designation: {authority}, {role}"},
    "next_deadlines": {"nl": "Volgende termijnen", "en": "Next deadlines"},
    "no_deadlines": {"nl": "Geen openstaande termijnen.", "en": "No open deadlines."},
    "designations": {"nl": "Toezicht en aanwijzingen", "en": "Supervision and designations"},
    "no_designations": {"nl": "Nog geen toezichthouder vastgelegd.", "en": "No supervisory authority recorded yet."},
    "planning": {"nl": "Planning", "en": "Planning"},
    "deadlines": {"nl": "3. Termijnen", "en": "3. Deadlines"},
    "overdue": {"nl": "Verlopen termijnen", "en": "Overdue deadlines"},
    "upcoming": {"nl": "Termijnen in de komende 12 maanden", "en": "Deadlines in the next 12 months"},
    "none_overdue": {"nl": "Geen verlopen termijnen.", "en": "No overdue deadlines."},
    "none_upcoming": {"nl": "Geen termijnen in de komende 12 maanden.", "en": "No deadlines in the next 12 months."},
    "col_act": {"nl": "Rechtshandeling", "en": "Act"},
    "col_deadline": {"nl": "Termijn", "en": "Deadline"},
    "col_due": {"nl": "Datum", "en": "Date"},
    "changes": {"nl": "4. Wijzigingen sinds de vorige rapportage", "en": "4. Changes since the previous report"},
    "stage_changes": {"nl": "Rechtshandelingen die van fase veranderden", "en": "Acts that changed stage"},
    "no_stage_changes": {"nl": "Geen fasewijzigingen.", "en": "No stage changes."},
    "col_from": {"nl": "Van", "en": "From"},
    "col_to": {"nl": "Naar", "en": "To"},
    "new_acts": {"nl": "Nieuwe rechtshandelingen", "en": "New acts"},
    "no_new_acts": {"nl": "Geen nieuwe rechtshandelingen.", "en": "No new acts."},
    "moved_dates": {"nl": "Verschoven data", "en": "Dates that moved"},
    "no_moved_dates": {"nl": "Geen verschoven data.", "en": "No dates moved."},
    "col_item": {"nl": "Onderwerp", "en": "Subject"},
    "col_old": {"nl": "Was", "en": "Was"},
    "col_new": {"nl": "Wordt", "en": "Now"},
    "col_shift": {"nl": "Verschuiving", "en": "Shift"},
    "evaluations": {"nl": "Bijlage 2: Evaluaties digitale economie",
                    "en": "Annex 2: Evaluations of the digital economy"},
    "no_evaluations": {"nl": "Geen evaluaties in deze selectie.", "en": "No evaluations in this selection."},
    "col_subject": {"nl": "Onderwerp", "en": "Subject"},
    "col_eval_due": {"nl": "Termijn", "en": "Due"},
    "col_performer": {"nl": "Uitvoerder", "en": "Performed by"},
    "col_status": {"nl": "Status", "en": "Status"},
    "eu_applicable": {"nl": "In werking getreden en per {date} van toepassing",
                      "en": "In force and applicable from {date}"},
    "eu_partly": {"nl": ", deels per {dates}", "en": ", partly from {dates}"},
    "eu_in_force": {"nl": "In werking getreden", "en": "In force"},
    "eu_expected": {"nl": "Inwerkingtreding verwacht {date}", "en": "Entry into force expected {date}"},
    "eu_tbd": {"nl": "Publicatie en inwerkingtreding n.t.b.",
               "en": "Publication and entry into force to be determined"},
    "days": {"nl": "{n} dagen", "en": "{n} days"},
    "months": {"nl": "{n} maanden", "en": "{n} months"},
    "day": {"nl": "1 dag", "en": "1 day"},
    "month": {"nl": "1 maand", "en": "1 month"},
    "later": {"nl": "later", "en": "later"},
    "earlier": {"nl": "eerder", "en": "earlier"},
    "unknown_date": {"nl": "nog niet bepaald", "en": "to be determined"},
    "figure_alt": {"nl": "Roadmap met een kolom per fase: {columns}.",
                   "en": "Roadmap with one column per stage: {columns}."},
    "figure_alt_none": {"nl": "geen", "en": "none"},
}


def t(key: str, lang: str, **values: object) -> str:
    text = WORDS[key][lang]
    return text.format(**values) if values else text


def stage_label(stage: Stage | None, lang: str) -> str:
    """A stage's one name (tracker/regulations/words.py), as pages and mails write it."""
    if stage is None:
        return t("stage_none", lang)
    return label_in(stage, lang)


def day(value: dt.date, lang: str) -> str:
    """A day as the report writes it in running text: '30 september 2023' / '30 September 2023'."""
    months = MONTHS_NL_LONG if lang == "nl" else MONTHS_EN_LONG
    return f"{value.day} {months[value.month - 1]} {value.year}"


def pdate(value: PrecisionDate | None, lang: str) -> str:
    """A date at its precision, in the app's one style per language (PrecisionDate.display): '17 februari 2024',
    'oktober 2023', '3e kwartaal 2023', '2e helft 2023', '2028', 'nog niet bepaald'; the report's own words where the
    date carries them ('eind 2023 of in 2024'). English: '17 February 2024', 'Q3 2023', 'to be determined'."""
    if value is None:
        return t("unknown_date", lang)
    return value.display(lang)


def short(value: PrecisionDate, lang: str) -> str:
    """A date in the figure: as in running text (Figure 8's '17-2-2024' is not the style the app writes)."""
    return pdate(value, lang)


def shift(old: dt.date, new: dt.date, lang: str) -> str:
    """How far a date moved: whole months when both are the first of a month, days otherwise."""
    later = new > old
    if old.day == 1 and new.day == 1:
        n = abs((new.year - old.year) * 12 + new.month - old.month)
        amount = t("month", lang) if n == 1 else t("months", lang, n=n)
    else:
        n = abs((new - old).days)
        amount = t("day", lang) if n == 1 else t("days", lang, n=n)
    return f"{amount} {t('later' if later else 'earlier', lang)}"


def sentence(text: str) -> str:
    """`text` ending in one full stop ('n.t.b.' stays 'n.t.b.', not 'n.t.b..')."""
    return text if text.endswith(".") else text + "."
