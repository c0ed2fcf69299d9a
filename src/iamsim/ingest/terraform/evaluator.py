"""Evaluating Terraform expressions the way Terraform would before apply.

This module owns :class:`Evaluator`: literals, string templates with ``${...}`` / ``%{...}``
(``$${`` and ``%%{`` are literal), heredocs, operators, conditionals, ``for`` expressions,
splats, indexing, references (``var``, ``local``, ``module``, ``data``, resources) and calls of
the built-in functions (:mod:`iamsim.ingest.terraform.functions`). Anything that cannot be
computed offline is an :class:`~iamsim.ingest.iac.unknown.Unknown` carrying the reason (and
file:line).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from lark import Token, Tree

from iamsim.errors import InputError
from iamsim.ingest.iac.unknown import Unknown, find_unknown
from iamsim.ingest.terraform.budget import LimitError, check_limit, spend
from iamsim.ingest.terraform.context import Ctx
from iamsim.ingest.terraform.functions import FUNCTIONS
from iamsim.ingest.terraform.functions.call import Call, FunctionError, Unsupported, find_error
from iamsim.ingest.terraform.syntax import (
    children,
    heredoc_body,
    line_of,
    name_of,
    template_tree,
    unescape,
)
from iamsim.ingest.terraform.values import (
    HclValue,
    Lazy,
    Namespace,
    arith,
    hcl_type_name,
    plain,
    tf_equal,
    to_bool,
    to_num,
    to_str,
)

if TYPE_CHECKING:
    from iamsim.ingest.terraform.loader import ConfigLoader


class Evaluator:
    """Evaluates expression trees. One per load (it holds the function table)."""

    def __init__(self, loader: ConfigLoader) -> None:
        self.loader = loader

    def unknown(self, tree: object, ctx: Ctx, reason: str, *, error: bool = False) -> Unknown:
        """An Unknown located at ``tree``; ``error`` for an expression that fails (see
        :class:`Unknown`), not one that is only known when Terraform runs."""
        line = line_of(tree)
        where = f"{ctx.file}:{line}" if line and ctx.file else ctx.file
        return Unknown(f"{where}: {reason}" if where else reason, error=error)

    def ev(self, tree: Tree[Token] | Token, ctx: Ctx) -> HclValue:
        if isinstance(tree, Token):
            return self.unknown(None, ctx, f"unexpected token {tree!s}")
        method: Callable[[Tree[Token], Ctx], HclValue] | None = getattr(
            self, f"e_{tree.data}", None
        )
        if method is None:
            return self.unknown(tree, ctx, f"the expression form {tree.data} is not supported")
        try:
            return method(tree, ctx)
        except LimitError as exc:
            line = line_of(tree)
            raise InputError(
                str(exc), path=f"line {line}" if line else "", source=ctx.file
            ) from None
        except RecursionError:
            # Evaluation recurses with the expression's nesting (and through references):
            # absurd depth is malformed input, reported where it happens, not a traceback.
            line = line_of(tree)
            raise InputError(
                "the expression is nested too deeply to evaluate",
                path=f"line {line}" if line else "",
                source=ctx.file,
            ) from None

    # -- terms

    def e_expr_term(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        kids = children(tree)
        if len(kids) == 1:
            return self.ev(kids[0], ctx)
        return self.unknown(tree, ctx, "malformed expression")

    def e_int_lit(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        return int(str(tree.children[0]))

    def e_float_lit(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        value = float(str(tree.children[0]))
        return (
            int(value) if value.is_integer() and "e" not in str(tree.children[0]).lower() else value
        )

    def e_literal_value(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        return {"true": True, "false": False, "null": None}[str(tree.children[0])]

    def e_tuple(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        return [self.ev(k, ctx) for k in children(tree)]

    def e_object(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        out: dict[str, HclValue] = {}
        for elem in children(tree):
            key_tree, value_tree = children(elem)
            key_kids = children(key_tree)
            key_expr = key_kids[0]
            if key_expr.data == "keyword":
                key: str | Unknown = name_of(key_expr)
            else:
                inner = children(key_expr)
                # A bare identifier as a key is the key's name, not a reference.
                if (
                    key_expr.data == "expr_term"
                    and len(inner) == 1
                    and inner[0].data == "identifier"
                ):
                    key = name_of(inner[0])
                else:
                    key = to_str(self.ev(key_expr, ctx))
            if isinstance(key, Unknown):
                return key
            out[key] = self.ev(value_tree, ctx)
        return out

    def e_string(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        parts = [c for c in tree.children if isinstance(c, Tree) and c.data == "string_part"]
        return self.template(parts, ctx)

    def e_template_string(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        text = str(tree.children[0])
        return unescape(text[2:-2])

    def e_heredoc_template(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        body = heredoc_body(str(tree.children[0]), trim=False)
        return self.ev(template_tree(body, ctx.file), ctx)

    def e_heredoc_template_trim(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        body = heredoc_body(str(tree.children[0]), trim=True)
        return self.ev(template_tree(body, ctx.file), ctx)

    def template(self, parts: Sequence[Tree[Token]], ctx: Ctx) -> HclValue:
        """Evaluate string parts, including ``%{if}`` / ``%{for}`` directives."""
        items: list[
            str | tuple[str, Tree[Token]]
        ] = []  # str literal | ("interp", tree) | (directive, tree)
        for part in parts:
            inner = part.children[0]
            if isinstance(inner, Token):
                text = str(inner)
                if inner.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    items.append(text[1:])  # $${ -> ${ and %%{ -> %{
                else:
                    items.append(unescape(text))
            else:
                items.append((inner.data, inner))
        pos, value = self._template_seq(items, 0, ctx, stop=())
        if pos != len(items):
            return self.unknown(parts[0] if parts else None, ctx, "unbalanced template directive")
        return value

    def _template_seq(
        self, items: list[str | tuple[str, Tree[Token]]], pos: int, ctx: Ctx, stop: tuple[str, ...]
    ) -> tuple[int, str | Unknown]:
        out: list[str] = []
        size = 0  # characters in out (a template's result is capped as it grows)
        unknown: Unknown | None = None
        strip_next = False
        while pos < len(items):
            item = items[pos]
            if isinstance(item, str):
                out.append(item.lstrip() if strip_next else item)
                strip_next = False
                pos += 1
                continue
            kind, tree = item
            if kind in stop:
                return pos, unknown or "".join(out)
            strips = [c for c in tree.children if isinstance(c, Token) and c.type == "STRIP_MARKER"]
            tokens = [c for c in tree.children if isinstance(c, Token)]
            if strips and tokens and tokens[1].type == "STRIP_MARKER" and out:
                out[-1] = out[-1].rstrip()
            strip_next = bool(strips) and tokens[-2].type == "STRIP_MARKER"
            if kind == "interpolation":
                value = to_str(plain(self.ev(children(tree)[0], ctx)))
                if isinstance(value, Unknown):
                    unknown = unknown or value
                else:
                    out.append(value)
                    size += len(value)
                    check_limit(size, "max_string_chars", "the template's result")
                pos += 1
            elif kind == "template_if_start":
                cond = to_bool(plain(self.ev(children(tree)[0], ctx)))
                pos, then_value = self._template_seq(
                    items, pos + 1, ctx, ("template_else", "template_endif")
                )
                else_value: str | Unknown = ""
                if pos < len(items) and items[pos][0] == "template_else":
                    pos, else_value = self._template_seq(items, pos + 1, ctx, ("template_endif",))
                if pos >= len(items):
                    return pos, self.unknown(tree, ctx, "%{if} without %{endif}")
                pos += 1
                if isinstance(cond, Unknown):
                    unknown = unknown or cond
                else:
                    chosen = then_value if cond else else_value
                    if isinstance(chosen, Unknown):
                        unknown = unknown or chosen
                    else:
                        out.append(chosen)
            elif kind == "template_for_start":
                names = [name_of(k) for k in children(tree) if k.data == "identifier"]
                coll_tree = next(k for k in children(tree) if k.data != "identifier")
                collection = plain(self.ev(coll_tree, ctx))
                body_start = pos + 1
                end, _ = self._template_seq(items, body_start, ctx, ("template_endfor",))
                if end >= len(items):
                    return end, self.unknown(tree, ctx, "%{for} without %{endfor}")
                if isinstance(collection, Unknown):
                    unknown = unknown or collection
                else:
                    for key, val in self._iterate(collection):
                        spend(1)
                        names_map = (
                            {names[0]: key, names[1]: val} if len(names) == 2 else {names[0]: val}
                        )
                        _, text = self._template_seq(
                            items, body_start, ctx.with_vars(**names_map), ("template_endfor",)
                        )
                        if isinstance(text, Unknown):
                            unknown = unknown or text
                        else:
                            out.append(text)
                            size += len(text)
                            check_limit(size, "max_string_chars", "the template's result")
                pos = end + 1
            else:
                return pos, self.unknown(tree, ctx, f"unexpected {kind}")
        return pos, unknown or "".join(out)

    # -- names and traversal

    def e_identifier(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        name = name_of(tree)
        if name in ctx.scope:
            return ctx.scope[name]
        module = ctx.module
        if name == "var":
            return Namespace(f"{module.prefix}var", module.variable)
        if name == "local":
            return Namespace(f"{module.prefix}local", module.local)
        if name == "data":
            return Namespace(
                f"{module.prefix}data",
                lambda rtype: Namespace(
                    f"data.{rtype}", lambda n: module.resource("data", rtype, n)
                ),
            )
        if name == "module":
            return Namespace(f"{module.prefix}module", module.call)
        if name == "path":
            # As when Terraform runs in the root module's directory: path.module is relative
            # to it, and relative file names are resolved against it.
            root = self.loader.root_dir
            return {"module": os.path.relpath(module.dir, root), "root": ".", "cwd": str(root)}
        if name == "terraform":
            return Namespace("terraform", lambda attr: self._terraform(attr, tree, ctx))
        if name in ("count", "each", "self"):
            return self.unknown(tree, ctx, f"{name} is not available here")
        return Namespace(name, lambda n: module.resource("managed", name, n))

    def _terraform(self, attr: str, tree: Tree[Token], ctx: Ctx) -> HclValue:
        if attr != "workspace":
            return self.unknown(tree, ctx, f"terraform.{attr} is not known offline")
        if not self.loader.workspace_noted:
            self.loader.workspace_noted = True
            line = line_of(tree)
            self.loader.warnings.add(
                f"{ctx.file}:{line}" if line and ctx.file else ctx.file,
                "",
                "terraform.workspace is read as 'default' (the workspace is chosen when "
                "Terraform runs; what depends on it is modeled for the default workspace)",
            )
        return "default"

    def _get_attr(self, value: HclValue, name: str, tree: Tree[Token], ctx: Ctx) -> HclValue:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Lazy):
            return value.get(name)
        if isinstance(value, dict):
            if name in value:
                return value[name]
            return self.unknown(tree, ctx, f"the object has no attribute {name!r}", error=True)
        if isinstance(value, list) and name.isdigit():  # legacy list.0 syntax
            return self._index(value, int(name), tree, ctx)
        return self.unknown(
            tree, ctx, f"a {hcl_type_name(value)} has no attribute {name!r}", error=True
        )

    def _index(self, value: HclValue, key: HclValue, tree: Tree[Token], ctx: Ctx) -> HclValue:
        if isinstance(value, Unknown):
            return value
        if isinstance(key, Unknown):
            return key
        if isinstance(value, Lazy):
            value = value.materialize()
            if isinstance(value, Unknown):
                return value
        if isinstance(value, list):
            number = to_num(key)
            if isinstance(number, Unknown) or not float(number).is_integer():
                return self.unknown(tree, ctx, f"invalid list index {key!r}", error=True)
            if not 0 <= int(number) < len(value):
                return self.unknown(tree, ctx, f"index {key!r} is out of range", error=True)
            return value[int(number)]
        if isinstance(value, dict):
            text = to_str(key)
            if isinstance(text, Unknown) or text not in value:
                return self.unknown(tree, ctx, f"no element with key {key!r}", error=True)
            return value[text]
        return self.unknown(tree, ctx, f"a {hcl_type_name(value)} cannot be indexed", error=True)

    def _apply_traversal(self, value: HclValue, ops: Sequence[Tree[Token]], ctx: Ctx) -> HclValue:
        for op in ops:
            if op.data == "get_attr":
                value = self._get_attr(value, name_of(children(op)[0]), op, ctx)
            elif op.data == "braces_index":
                value = self._index(value, plain(self.ev(children(op)[0], ctx)), op, ctx)
            elif op.data == "short_index":
                value = self._index(value, int(str(op.children[-1])), op, ctx)
        return value

    def e_get_attr_expr_term(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        base, op = children(tree)
        return self._apply_traversal(self.ev(base, ctx), [op], ctx)

    def e_index_expr_term(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        base, op = children(tree)
        return self._apply_traversal(self.ev(base, ctx), [op], ctx)

    def _splat(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        base, splat = children(tree)
        value = self.ev(base, ctx)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Lazy):
            value = value.materialize()
        if isinstance(value, dict):
            value = list(value.values())
        elif value is None:
            value = []
        elif not isinstance(value, list):
            value = [value]
        return [self._apply_traversal(item, children(splat), ctx) for item in value]

    e_attr_splat_expr_term = _splat
    e_full_splat_expr_term = _splat

    # -- operators

    def e_conditional(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        cond, then, other = children(tree)
        value = to_bool(plain(self.ev(cond, ctx)))  # "true"/"false" convert, as in Terraform
        if isinstance(value, Unknown):
            if value.error:
                return self.unknown(tree, ctx, f"the condition: {value.reason}", error=True)
            return value
        return self.ev(then if value else other, ctx)

    def e_unary_op(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        op = str(tree.children[0])
        value = self.ev(children(tree)[0], ctx)
        if isinstance(value, Unknown):
            return value
        if op == "!":
            flag = to_bool(plain(value))
            if isinstance(flag, Unknown):
                return self.unknown(tree, ctx, f"!: {flag.reason}", error=True)
            return not flag
        number = to_num(value)
        return -number if not isinstance(number, Unknown) else number

    def e_binary_op(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        left_tree, term = children(tree)[:2]
        op_tree, right_tree = children(term)
        op = str(op_tree.children[0])
        left = self.ev(left_tree, ctx)
        if op in ("&&", "||") and left in ("true", "false"):
            left = left == "true"
        # && and || short-circuit on a decided left side.
        if isinstance(left, bool) and ((op == "&&" and not left) or (op == "||" and left)):
            return left
        right = self.ev(right_tree, ctx)
        left, right = plain(left), plain(right)
        if op in ("==", "!=") and (left is None or right is None):
            # Whether a (partly unknown) value is null is known.
            failed = next((x for x in (left, right) if isinstance(x, Unknown)), None)
        else:
            failed = find_error([left, right]) or find_unknown([left, right])
        if failed is not None:
            return failed
        if op == "==":
            return tf_equal(left, right)
        if op == "!=":
            return not tf_equal(left, right)
        if op in ("&&", "||"):
            left, right = to_bool(left), to_bool(right)
            if not isinstance(left, bool) or not isinstance(right, bool):
                return self.unknown(tree, ctx, f"{op} needs bools", error=True)
            return left and right if op == "&&" else left or right
        a, b = to_num(left), to_num(right)
        if isinstance(a, Unknown):
            return a
        if isinstance(b, Unknown):
            return b
        try:
            result = arith(op, a, b)
        except ZeroDivisionError:
            return self.unknown(tree, ctx, "division by zero", error=True)
        if isinstance(result, float) and result.is_integer() and op != "/":
            return int(result)
        return result

    # -- for expressions

    @staticmethod
    def _iterate(collection: HclValue) -> Iterator[tuple[HclValue, HclValue]]:
        if isinstance(collection, dict):
            for key in sorted(collection):
                yield key, collection[key]
        elif isinstance(collection, list):
            yield from enumerate(collection)

    def _for(self, tree: Tree[Token], ctx: Ctx, *, is_object: bool) -> HclValue:
        kids = children(tree)
        intro = kids[0]
        names = [name_of(k) for k in children(intro) if k.data == "identifier"]
        coll_tree = next(k for k in children(intro) if k.data != "identifier")
        collection = plain(self.ev(coll_tree, ctx))
        if isinstance(collection, Unknown):
            return collection
        if not isinstance(collection, dict | list):
            return self.unknown(
                tree, ctx, f"cannot iterate over a {hcl_type_name(collection)}", error=True
            )
        cond_tree = kids[-1] if kids[-1].data == "for_cond" else None
        exprs = [k for k in kids[1:] if k is not cond_tree]
        grouping = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in tree.children)
        out_list: list[HclValue] = []
        out_obj: dict[str, HclValue] = {}
        groups: dict[str, list[HclValue]] = {}  # with ``...``: the values of each key
        for key, val in self._iterate(collection):
            spend(1)
            names_map = {names[0]: key, names[1]: val} if len(names) == 2 else {names[0]: val}
            inner = ctx.with_vars(**names_map)
            if cond_tree is not None:
                keep = self.ev(children(cond_tree)[0], inner)
                if isinstance(keep, Unknown):
                    return keep
                if not keep:
                    continue
            if not is_object:
                out_list.append(self.ev(exprs[0], inner))
                continue
            k = to_str(plain(self.ev(exprs[0], inner)))
            if isinstance(k, Unknown):
                return k
            v = self.ev(exprs[1], inner)
            if grouping:
                groups.setdefault(k, []).append(v)
            elif k in out_obj:
                return self.unknown(
                    tree, ctx, f"duplicate key {k!r} in a for expression", error=True
                )
            else:
                out_obj[k] = v
        if grouping:
            out_obj = {k: list(vs) for k, vs in groups.items()}
        return out_obj if is_object else out_list

    def e_for_tuple_expr(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        return self._for(tree, ctx, is_object=False)

    def e_for_object_expr(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        return self._for(tree, ctx, is_object=True)

    # -- functions

    def e_function_call(self, tree: Tree[Token], ctx: Ctx) -> HclValue:
        kids = children(tree)
        names = [name_of(k) for k in kids if k.data == "identifier"]
        name = names[-1] if len(names) == 1 else "::".join(names)
        arg_trees: list[Tree[Token]] = []
        expand = False
        for k in kids:
            if k.data == "arguments":
                arg_trees = children(k)
                expand = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in k.children)
        if name in ("try", "can"):
            return self._try(name, arg_trees, ctx, tree)
        func = FUNCTIONS.get(name)
        if func is None:
            return self.unknown(tree, ctx, f"the function {name}() is not supported offline")
        args = [plain(self.ev(a, ctx)) for a in arg_trees]
        if expand and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return last
            if not isinstance(last, list):
                return self.unknown(tree, ctx, "... needs a list", error=True)
            args.extend(last)
        # A function of an unknown value is unknown (try() and can() are handled above); of
        # a failed expression, failed.
        unknown = find_error(args) or find_unknown(args)
        if unknown is not None:
            return unknown
        try:
            return func(Call(self, ctx, tree), *args)
        except LimitError as exc:
            line = line_of(tree)
            raise InputError(
                f"{name}(): {exc}", path=f"line {line}" if line else "", source=ctx.file
            ) from None
        except FunctionError as exc:
            return self.unknown(tree, ctx, f"{name}(): {exc}", error=True)
        except Unsupported as exc:
            return self.unknown(tree, ctx, f"{name}(): {exc} are not supported")
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            return self.unknown(tree, ctx, f"{name}(): invalid arguments ({exc})")

    def _try(
        self, name: str, arg_trees: list[Tree[Token]], ctx: Ctx, tree: Tree[Token]
    ) -> HclValue:
        # An expression that fails (an Unknown marked error: no regex match, a missing key)
        # makes can() false and try() move on; a value only known when Terraform runs does
        # neither (Terraform cannot tell yet either), so it stays unknown.
        if name == "can":
            if len(arg_trees) != 1:
                return self.unknown(tree, ctx, "can() takes one argument", error=True)
            value = plain(self.ev(arg_trees[0], ctx))
            if find_error(value) is not None:
                return False
            unknown = find_unknown(value)
            return unknown if unknown is not None else True
        last: HclValue = self.unknown(tree, ctx, "try() needs arguments", error=True)
        for arg in arg_trees:
            value = plain(self.ev(arg, ctx))
            error = find_error(value)
            if error is None:
                return value  # known, or unknown until Terraform runs
            last = error
        return last
