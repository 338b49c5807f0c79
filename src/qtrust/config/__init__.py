"""Typed audit configuration; validation errors name the field and the fix."""

from qtrust.config.loading import config_from_dict, load_config, with_overrides
from qtrust.config.schema import AuditConfig
from qtrust.config.template import default_config_yaml

__all__ = ["AuditConfig", "config_from_dict", "default_config_yaml", "load_config", "with_overrides"]
