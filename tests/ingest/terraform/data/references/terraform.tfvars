bucket_suffix = "logs"
