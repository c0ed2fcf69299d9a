aws_assume_role_arn = "arn:aws:iam::123456789012:user/tester"
