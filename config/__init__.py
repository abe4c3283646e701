"""The configuration: one TOML file read into frozen settings, validated as a whole.

`load_config(path)` reads the file; every problem is collected into one `ConfigError` that lists
them all as `where: value — expected …`. Pacing targets are derived here (`derive_targets`),
never written. Sections are read by small modules beside this one (`options`, `roster`,
`secrets`, `alarms`, `dashboard`, `simulator`) over the typed readers of `reader`.
"""

from config.alarms import AlarmOptions, SmtpOptions, WebhookOptions
from config.dashboard import DashboardOptions
from config.model import (
    Config,
    derive_targets,
    describe,
    load_config,
    parse_config,
    require_paced_targets,
)
from config.options import (
    BacklogOptions,
    LogOptions,
    MetricsOptions,
    NodeOptions,
    PacingEndpointOptions,
    PacingOptions,
    PublisherOptions,
    StatSourceOptions,
)
from config.reader import ConfigError
from config.roster import Agent, AgentGroup, VirtualQueue
from config.secrets import ForwardProxyOptions, HybridIntegration, SecretUnavailableError

__all__ = [
    "Agent",
    "AgentGroup",
    "AlarmOptions",
    "BacklogOptions",
    "Config",
    "ConfigError",
    "DashboardOptions",
    "ForwardProxyOptions",
    "HybridIntegration",
    "LogOptions",
    "MetricsOptions",
    "NodeOptions",
    "PacingEndpointOptions",
    "PacingOptions",
    "PublisherOptions",
    "SecretUnavailableError",
    "SmtpOptions",
    "StatSourceOptions",
    "VirtualQueue",
    "WebhookOptions",
    "derive_targets",
    "describe",
    "load_config",
    "parse_config",
    "require_paced_targets",
]
