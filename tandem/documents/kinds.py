"""The documents Tandem drafts from the school's data: each kind is a key, a title, an audience and an
ordered list of section builders (see `tandem.documents.drafting`). Adding a document (the SEN information
report, the inclusion strategy) is adding an entry here with its builders; the models, pages, outputs,
versions and disclosure control are shared.
"""

from __future__ import annotations

from tandem.documents import governors
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

KINDS: dict[str, DocumentKind] = {kind.key: kind for kind in (GOVERNORS_REPORT,)}


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.key, kind.title) for kind in KINDS.values()]
