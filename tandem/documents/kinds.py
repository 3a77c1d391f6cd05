"""The documents Tandem drafts from the school's data: each kind is a key, a title, an audience and an
ordered list of section builders (see `tandem.documents.drafting`). Adding a document (the SEN information
report, the inclusion strategy) is adding an entry here with its builders; the models, pages, outputs,
versions and disclosure control are shared.
"""

from __future__ import annotations

from tandem.documents import governors, inclusion, sen_report
from tandem.documents.content import Audience
from tandem.documents.drafting import DocumentKind, SectionSpec

GOVERNORS_REPORT = DocumentKind(
    key="governors_report",
    title="Termly SEND report to governors and the trust board",
    audience=Audience.INTERNAL,
    description="For the governing board and the trust board each term: the register and its needs, "
    "progress of pupils with SEND against others, compliance with the Code, and the cost and impact of "
    "provision, with your commentary. It holds figures about pupils, so it is never published.",
    sections=(
        SectionSpec("register", governors.register_section),
        SectionSpec("progress", governors.progress_section),
        SectionSpec("compliance", governors.compliance_section),
        SectionSpec("provision", governors.provision_section),
        SectionSpec("impact", governors.impact_section),
        SectionSpec("commentary", governors.commentary_section),
    ),
)

SEN_INFORMATION_REPORT = DocumentKind(
    key="sen_information_report",
    title="SEN information report",
    audience=Audience.PUBLISHED,
    description="For the school's website, each school year (Code 6.79-6.82): the needs the school provides "
    "for, how it identifies and reviews them, how it judges its provision, and how it works with parents "
    "and pupils. Draft it for the school year. Small counts of pupils are hidden.",
    sections=(
        SectionSpec("needs", sen_report.needs_section),
        SectionSpec("identifying", sen_report.identifying_section),
        SectionSpec("effectiveness", sen_report.effectiveness_section),
        SectionSpec("parents", sen_report.parents_section),
        SectionSpec("pupils", sen_report.pupils_section),
        SectionSpec("other", sen_report.rest_section),
    ),
)

INCLUSION_STRATEGY = DocumentKind(
    key="inclusion_strategy",
    title="Inclusion strategy",
    audience=Audience.PUBLISHED,
    description="For the school's website, first by 31 December 2026 and reviewed each year: the needs "
    "profile, the universal offer, targeted and specialist provision with its cost by funding source, its "
    "impact, how parents and pupils are involved and how the strategy is monitored. Draft it for the school "
    "year. Small counts of pupils are hidden.",
    sections=(
        SectionSpec("needs_profile", inclusion.needs_profile_section),
        SectionSpec("universal", inclusion.universal_section),
        SectionSpec("provision", inclusion.provision_section),
        SectionSpec("impact", inclusion.impact_section),
        SectionSpec("involvement", inclusion.involvement_section),
        SectionSpec("monitoring", inclusion.monitoring_section),
    ),
)

KINDS: dict[str, DocumentKind] = {
    kind.key: kind for kind in (GOVERNORS_REPORT, SEN_INFORMATION_REPORT, INCLUSION_STRATEGY)
}


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.key, kind.title) for kind in KINDS.values()]
