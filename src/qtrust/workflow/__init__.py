"""The recorded operations every shell shares — the CLI today, a server or a web app tomorrow.

Each function takes a :class:`~qtrust.workflow.session.Session` (where the evidence lives, how secrets are
obtained, which keys are trusted) and plain typed arguments, returns a typed outcome, and raises
:class:`~qtrust.errors.InputError` for bad input; none prints, prompts or exits.

* :mod:`~qtrust.workflow.audit` — run an audit under a plan and record it (first use included);
* :mod:`~qtrust.workflow.gate` — gate results against the policy in force, record the decision; register a policy;
* :mod:`~qtrust.workflow.evidence` — start the log, rotate keys, register plans, list/show/prove, export, reproduce;
* :mod:`~qtrust.workflow.verification` — verify the local log or a bundle (keys, witnesses, kept checkpoints, outputs);
* :mod:`~qtrust.workflow.witness` — create a witness, cosign, read its state;
* :mod:`~qtrust.workflow.people`, :mod:`~qtrust.workflow.signoff` — the roster, requests and approvals;
* :mod:`~qtrust.workflow.records`, :mod:`~qtrust.workflow.incidents`, :mod:`~qtrust.workflow.documents`,
  :mod:`~qtrust.workflow.checklists`, :mod:`~qtrust.workflow.approaches` — governance records and documents.
"""
