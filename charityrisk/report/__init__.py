"""Words, figures and the PDF report drawn from engine results, shared by app and command line."""
