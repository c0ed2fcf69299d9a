"""Terraform inputs: configurations (HCL) and plan or state JSON, into the world model.

Split by concern: :mod:`.syntax` (parsing), :mod:`.values` and :mod:`.budget` (values and
limits), :mod:`.evaluator` (expressions), :mod:`.functions` (built-ins), :mod:`.instances` and
:mod:`.modules` (resources and modules), :mod:`.resources` and :mod:`.arguments` (resources onto
the world), :mod:`.plan` (plan JSON) and :mod:`.loader` (entry points and format registration).
"""
