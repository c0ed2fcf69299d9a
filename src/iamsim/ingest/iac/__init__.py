"""The infrastructure-as-code core Terraform and CloudFormation share.

Unknown values and warnings (:mod:`.unknown`), placeholders and deployment environments
(:mod:`.placeholders`), attributes the AWS provider computes (:mod:`.computed`), policy documents
from IaC (:mod:`.policy_document`, :mod:`.policies`) and the world builder (:mod:`.world`).
"""
