#!/usr/bin/env bash
# check-sql: SQL in the C code is constant text with $1, $2 placeholders; it
# is never assembled with string formatting, so no value can turn into SQL.
#
#   tools/check-sql.sh [FILE|DIR ...]    default: crypto/ base/ workflow/ accounts/ intake/ staff/ desk/ web/ daemon/ ctl/
#
# The rule, for every .c and .h file:
#  1. A call to a string-building function (sprintf, snprintf, vsnprintf,
#     vsprintf, asprintf, vasprintf, strcat, strncat, strlcat, buf_*) whose
#     string literals look like SQL is an error. "Look like SQL": SELECT,
#     INSERT, UPDATE, DELETE, CREATE, DROP or ALTER written in capitals, or
#     in any case in the shape of a statement (select ... from, insert into,
#     update X set, delete from, create/drop/alter table|index|...). A plain
#     message such as "cannot create socket" is not SQL.
#  2. The SQL argument of PQexec, PQsendQuery, PQexecParams,
#     PQsendQueryParams, PQprepare, PQsendPrepare, of our pool's
#     db_job_add and of the blocking db_query (base/db.h; both hand their
#     text on to libpq) must be a string
#     literal (adjacent literals and macros pasted to them are fine: that is
#     still a compile-time constant) or a name starting with sql_ or SQL_,
#     such as `static const char sql_insert_case[] = "...";`; a member or
#     element of that name is fine too (m->sql_text, sql_steps[i]).
#  Only literal arguments count (a nested PQexec(c, "SELECT 1") inside a
#  snprintf is checked by rule 2, not taken for formatting).
# Comments, and declarations of these functions, are ignored. A call whose
# first line carries the comment /* check-sql: allow */ is skipped: say next
# to it why it is safe.
# Prints "FILE:LINE: reason" per problem and exits 1, or prints
# "check-sql: ok (N files)".
set -euo pipefail
cd "$(dirname "$0")/.."

exec /usr/bin/python3 - "$@" <<'PY'
import os
import re
import sys

DEFAULT_DIRS = ["crypto", "base", "workflow", "accounts", "intake", "staff", "desk", "web", "daemon", "ctl"]
BUILDERS = r"(?:v?sn?printf|v?asprintf|str[nl]?cat|buf_\w+)"
PQ_SQL_ARG = {"PQexec": 1, "PQsendQuery": 1, "PQexecParams": 1,
              "PQsendQueryParams": 1, "PQprepare": 2, "PQsendPrepare": 2,
              "db_job_add": 1, "db_query": 1}
CALL = re.compile(r"\b(" + BUILDERS + "|" + "|".join(PQ_SQL_ARG) + r")\s*\(")
SQL_CAPS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER)\b")
SQL_SHAPE = re.compile(
    r"\bselect\b.*\bfrom\b|\bselect\s+(\*|\d|\$|\w+\s*\()|\binsert\s+into\b"
    r"|\bupdate\s+\S+\s+set\b|\bdelete\s+from\b"
    r"|\b(create|drop|alter|truncate)\s+(or\s+replace\s+|unique\s+|temp(orary)?\s+"
    r"|if\s+(not\s+)?exists\s+)*(table|index|schema|role|user|database|function"
    r"|procedure|view|sequence|type|trigger|extension|policy)\b",
    re.IGNORECASE | re.DOTALL)
LITERAL = r'(?:u8|u|U|L)?"(?:[^"\\\n]|\\.)*"'
CONSTANT_ARG = re.compile(r"^(?:\s*(?:" + LITERAL + r"|[A-Za-z_]\w*\b))+\s*$", re.DOTALL)
SQL_NAME_ARG = re.compile(
    r"^\s*(?:[A-Za-z_]\w*\s*(?:->|\.)\s*)*(?:sql|SQL)_\w*\s*(?:\[[^\]]*\]\s*)*$")
ALLOW = "check-sql: allow"
# "void db_job_add(struct db_job *job, ...": a first argument that is a
# parameter declaration (type and name), not an expression.
DECLARATION = re.compile(r"^\s*(?:const\s+)?(?:struct\s+|enum\s+)?\w+[\s*]+\w+\s*$")


def lex(text):
    """Returns (code, masked): code has comments blanked; masked also has
    the contents of string and character literals blanked. Both keep every
    offset and newline of text."""
    code, masked = list(text), list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                code[k] = masked[k] = " "
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if text[k] != "\n":
                    code[k] = masked[k] = " "
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                masked[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(code), "".join(masked)


def call_args(code, masked, open_paren):
    """Splits the arguments of the call whose "(" is at open_paren; None if
    the parentheses do not close."""
    depth, start, args = 0, open_paren + 1, []
    for i in range(open_paren, len(masked)):
        c = masked[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(code[start:i])
                return args
        elif c == "," and depth == 1:
            args.append(code[start:i])
            start = i + 1
    return None


def literals(arg):
    return " ".join(m.group(0)[m.group(0).index('"') + 1:-1] for m in re.finditer(LITERAL, arg))


def check_file(path, problems):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    lines = text.split("\n")
    code, masked = lex(text)
    for m in CALL.finditer(masked):
        name = m.group(1)
        line = text.count("\n", 0, m.start()) + 1
        if ALLOW in lines[line - 1]:
            continue
        where = "%s:%d" % (path, line)
        args = call_args(code, masked, m.end() - 1)
        if args is None:
            problems.append("%s: %s(: cannot find the end of the call" % (where, name))
            continue
        if DECLARATION.match(args[0]):
            continue
        if name in PQ_SQL_ARG:
            index = PQ_SQL_ARG[name]
            if len(args) <= index:
                problems.append("%s: %s with too few arguments" % (where, name))
                continue
            arg = args[index]
            ok = (CONSTANT_ARG.match(arg) and re.search(LITERAL, arg)) or SQL_NAME_ARG.match(arg)
            if not ok:
                problems.append("%s: %s: the SQL must be a string literal or a sql_*/SQL_* "
                                "constant, not `%s`" % (where, name, " ".join(arg.split())))
        else:
            sql = literals(" ".join(a for a in args if CONSTANT_ARG.match(a)))
            if SQL_CAPS.search(sql) or SQL_SHAPE.search(sql):
                problems.append("%s: %s builds SQL with string formatting; use a constant "
                                "with $1 parameters" % (where, name))


def main(argv):
    roots = argv or [d for d in DEFAULT_DIRS if os.path.isdir(d)]
    files = []
    for root in roots:
        if os.path.isfile(root):
            files.append(root)
            continue
        if not os.path.isdir(root):
            print("check-sql: %s: no such file or folder" % root, file=sys.stderr)
            return 2
        for folder, _, names in os.walk(root):
            files += [os.path.join(folder, f) for f in names if f.endswith((".c", ".h"))]
    problems = []
    for path in sorted(files):
        check_file(path, problems)
    for p in problems:
        print(p)
    if problems:
        print("check-sql: %d problem(s): SQL must be constant text with $N parameters"
              % len(problems))
        return 1
    print("check-sql: ok (%d files)" % len(files))
    return 0


sys.exit(main(sys.argv[1:]))
PY
