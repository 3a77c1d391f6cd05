"""Support plans as assess-plan-do-review cycles, SMART targets, reviews, parent meetings (Code 6.44-6.71)."""
