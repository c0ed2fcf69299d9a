resource "aws_iam_user" "ok" {
  name = "ok"
}

resource "aws_iam_user" "broken" {
  name = "broken"
  tags = {
    a = "b"
