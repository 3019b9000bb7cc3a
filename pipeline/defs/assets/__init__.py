"""Assets by stage: raw -> staging -> marts -> exports -> reports -> publish."""
