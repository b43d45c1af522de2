#!/usr/bin/env bash
# Benchmark of `wangge import persons` (issue 3: at least half the rate of the sqlite3
# shell's .import of the same rows into an equivalent table, measured in the same run).
#
# 1. A small generated district (the grids the rows go to), not timed.
# 2. A CSV of N person rows (default 1,000,000) with valid, distinct GB 11643 numbers,
#    phones, residence, relation, household numbers (about 2.5 persons each), grid codes and
#    some tags — written by Python, not timed.
# 3. `wangge import persons FILE --apply`: the whole job — a pass for ID numbers repeated
#    in the file, then every row checked (GB 11643, phone, vocabulary, grid in scope),
#    matched with the records on file by blind index, and written (SM4-GCM encryption and
#    HMAC-SM3 index of ID numbers and phones, households, tags, grid counts, audit) in
#    transactions of 2,000 rows.
# 4. The raw engine: the sqlite3 shell `.import`s the same CSV into a table with the same
#    columns and an index on name and on ID number (what our table is searched by), with the
#    same pragmas.
#
# Usage: bench/import.sh [ROWS]   (release binary at target/release/wangge or $WANGGE_BIN)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
BIN=${WANGGE_BIN:-${CARGO_TARGET_DIR:-target}/release/wangge}
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell (apt-get install sqlite3)"; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$BIN" gen --data "$WORK/db" --grids 40 --seed 1 >/dev/null 2>&1
sqlite3 "$WORK/db/wangge.sqlite" "select code from grid" >"$WORK/grids.txt"
python3 - "$ROWS" "$WORK/grids.txt" "$WORK/persons.csv" <<'PY'
import random, sys
rows, grids_file, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
grids = open(grids_file).read().split()
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"
surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志新春梅"
rels = ["户主", "配偶", "子女", "父母", "孙子女"]
res = ["户籍人口"] * 7 + ["常住人口"] * 2 + ["流动人口"]
tags = [""] * 17 + ["低保对象", "独居老人", "残疾人(二级)"]
rnd = random.Random(1)
with open(out, "w", encoding="utf-8", newline="") as f:
    f.write("姓名,身份证号,联系电话,人口类型,与户主关系,户号,网格,标签\r\n")
    household, left, grid = 0, 0, grids[0]
    for i in range(rows):
        if left == 0:
            household += 1
            left = rnd.choice([1, 2, 2, 3, 3, 4])
            grid = grids[rnd.randrange(len(grids))]
            member = 0
        # Distinct numbers: the sequence spreads i over birth dates and sequence digits.
        day = 10000 + i // 999
        year, rest = 1940 + (day // 336) % 80, day % 336
        birth = "%04d%02d%02d" % (year, rest // 28 + 1, rest % 28 + 1)
        first17 = "430204" + birth + "%03d" % (i % 999)
        check = C[sum(int(a) * b for a, b in zip(first17, W)) % 11]
        name = rnd.choice(surnames) + rnd.choice(given) + (rnd.choice(given) if rnd.random() < 0.6 else "")
        phone = "13%09d" % rnd.randrange(10**9)
        f.write(f"{name},{first17}{check},{phone},{rnd.choice(res)},{rels[min(member, 4)]},H{household:07d},{grid},{rnd.choice(tags)}\r\n")
        member += 1
        left -= 1
PY
size=$(du -h "$WORK/persons.csv" | cut -f1)

before=$(sqlite3 "$WORK/db/wangge.sqlite" "select count(*) from person")
start=$(date +%s.%N)
"$BIN" import --data "$WORK/db" persons "$WORK/persons.csv" --apply >"$WORK/import.log" 2>&1 || { cat "$WORK/import.log"; exit 1; }
ours_s=$(echo "$(date +%s.%N) - $start" | bc)
imported=$(( $(sqlite3 "$WORK/db/wangge.sqlite" "select count(*) from person") - before ))

start=$(date +%s.%N)
sqlite3 "$WORK/raw.sqlite" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
PRAGMA cache_size=-262144;
CREATE TABLE person ("姓名" TEXT, "身份证号" TEXT, "联系电话" TEXT, "人口类型" TEXT, "与户主关系" TEXT, "户号" TEXT, "网格" TEXT, "标签" TEXT);
CREATE INDEX person_name ON person ("姓名");
CREATE INDEX person_id ON person ("身份证号");
.mode csv
.import --skip 1 $WORK/persons.csv person
SQL
raw_s=$(echo "$(date +%s.%N) - $start" | bc)
raw_rows=$(sqlite3 "$WORK/raw.sqlite" "select count(*) from person")

ours=$(echo "$imported / $ours_s" | bc)
raw=$(echo "$raw_rows / $raw_s" | bc)
ratio=$(echo "scale=2; $ours / $raw" | bc)
tail -3 "$WORK/import.log"
printf 'rows %s  csv %s\n' "$ROWS" "$size"
printf 'wangge import --apply              %8.1f s  %9s rows/s  (%s persons created)\n' "$ours_s" "$ours" "$imported"
printf 'sqlite3 .import of the same CSV   %8.1f s  %9s rows/s\n' "$raw_s" "$raw"
printf 'ratio wangge/raw (rows/s)         %8s\n' "$ratio"
