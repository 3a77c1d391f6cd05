"""Interventions and the provision map: catalogue, groups, placements, session logs, impact and cost."""
