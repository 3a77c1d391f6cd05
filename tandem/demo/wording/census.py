"""Text for the demo's census problems (tandem/demo/census.py): only the name of the SEN file the demo's
last import from the MIS came in."""

from __future__ import annotations

# What a SENCo's MIS calls its SEN export; the demo's import record keeps the name, never the file.
SEN_FILE_NAME = "SEN status and needs (MIS export).csv"
# Needs the planted problems add: common census types, one the pupil does not already hold.
EXTRA_NEEDS = ("MLD", "SLCN", "SEMH", "SPLD")
