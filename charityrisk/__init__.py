"""CharityRisk: cash-flow risk of Payment by Results contracts for small charities."""

__version__ = "0.1.0"
APP_NAME = "CharityRisk"
