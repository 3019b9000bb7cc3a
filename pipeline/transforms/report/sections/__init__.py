"""One module per section of the report, each a function from ReportInputs to a Section."""
