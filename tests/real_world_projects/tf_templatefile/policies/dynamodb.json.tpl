{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Tables",
      "Effect": "Allow",
      "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
      "Resource": [
%{ for i, t in tables ~}
        "arn:aws:dynamodb:${region}:${account_id}:table/${env}-${t}"${i < length(tables) - 1 ? "," : ""}
%{ endfor ~}
      ]
    }
  ]
}
