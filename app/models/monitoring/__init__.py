"""Monitoring after a limit is granted (贷后监测): observations and the files they came from, portfolio
checks, the early warnings they raise and the risk-control actions applied to facilities."""

from app.models.monitoring.connectors import ConnectorPayload, ConnectorSource
from app.models.monitoring.monitoring import CustomerCheckQueue, MonitoringImport, Observation, PortfolioCheck
from app.models.monitoring.warning import EarlyWarning, FacilityChange

__all__ = [
    "ConnectorPayload",
    "ConnectorSource",
    "CustomerCheckQueue",
    "EarlyWarning",
    "FacilityChange",
    "MonitoringImport",
    "Observation",
    "PortfolioCheck",
]
