enforce_mfa = "true"
