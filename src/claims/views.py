from __future__ import annotations


def claim_list(*a, **k):
    pass


def claim_create(*a, **k):
    pass


def claim_detail(*a, **k):
    pass


def claim_answers(*a, **k):
    pass


def claim_evidence_upload(*a, **k):
    pass


def claim_evidence_file(*a, **k):
    pass


def claim_action(*a, **k):
    pass


def rule_set_list(*a, **k):
    pass


def rule_set_detail(*a, **k):
    pass


def rule_set_new_version(*a, **k):
    pass
