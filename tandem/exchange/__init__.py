"""Documents Tandem hands to people outside the school's staff: parents first."""
