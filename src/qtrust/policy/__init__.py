"""Release policy: pre-registered evaluation plans (and, next, release gates)."""

from qtrust.policy.plan import EvaluationPlan, PlanChange, compare_plans, load_plan

__all__ = ["EvaluationPlan", "PlanChange", "compare_plans", "load_plan"]
