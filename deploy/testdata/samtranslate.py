"""Translates a SAM template to CloudFormation offline, as `sam deploy` has
it done: usage `python3 samtranslate.py TEMPLATE [Name=Value ...]`; the
CloudFormation JSON goes to standard output.

Two steps of `sam deploy` happen here without AWS:
- packaging: each function's local CodeUri must exist (relative to the
  template, as `sam deploy` reads it); it becomes an S3 URI whose key ends
  in the file's name, where `sam deploy` would upload it;
- the transform, by aws-sam-translator, the library AWS runs for
  `Transform: AWS::Serverless-2016-10-31`. Its managed-policy loader would
  list IAM's policies; the loader here refuses instead, so a template that
  names a managed policy fails here rather than reaching AWS.

Name=Value pairs are --parameter-overrides: an unknown name is refused, as
CloudFormation refuses it, and each value becomes its parameter's Default
in the output, so that cfn-lint checks it against AllowedPattern and
AllowedValues as CloudFormation will before it changes anything.
"""

import json
import os
import sys

# The translator names the region in ARNs; a deploy has one, an offline run
# may not: any will do for checking the template.
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")

from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

BUCKET = "sam-package-bucket"


class NoManagedPolicies:
    """A managed-policy loader that asks nothing of IAM."""

    def load(self):
        raise SystemExit("the template names a managed policy: give its ARN (listing IAM's policies needs AWS)")


def package(template, base):
    for name, res in template.get("Resources", {}).items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        uri = res.get("Properties", {}).get("CodeUri")
        if not isinstance(uri, str) or uri.startswith("s3://"):
            raise SystemExit(f"{name}: CodeUri {uri!r}: want the local zip that make build writes")
        path = os.path.normpath(os.path.join(base, uri))
        if not os.path.isfile(path):
            raise SystemExit(f"{name}: CodeUri {uri}: no such file ({path}); run make build")
        res["Properties"]["CodeUri"] = f"s3://{BUCKET}/formgate/{os.path.basename(path)}"


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    path = argv[1]
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    overrides = {}
    for arg in argv[2:]:
        name, sep, value = arg.partition("=")
        if not sep:
            raise SystemExit(f"{arg!r}: want Name=Value")
        if name not in template.get("Parameters", {}):
            raise SystemExit(f"Parameters: [{name}] do not exist in the template")
        overrides[name] = value
    package(template, os.path.dirname(os.path.abspath(path)))
    try:
        out = transform(template, dict(overrides), NoManagedPolicies())
    except InvalidDocumentException as e:
        raise SystemExit("; ".join(str(c) for c in e.causes)) from None
    for name, value in overrides.items():
        out["Parameters"][name]["Default"] = value
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
