#!/usr/bin/env node
// gen.js writes ../qs_cases.json: query strings and, for each, the
// normalized parameter string that JS SDK 8.14.1 signs for it (the part of
// the OAuth1 base string after the second '&', before its last encoding).
//
// The query is parsed by the real qs (the version pinned in package.json,
// the one JS SDK 8.14.1 depends on), merged with a fixed set of oauth
// parameters, then flattened, encoded, sorted and joined exactly as the
// SDK's OAuth1 signer does (the functions below are that code, reworded).
// The Go tests of package oauth1 (the SDK's signer) and package exhtest (the
// fake's verifier) read the file and must produce the same strings.
//
// Run it from this directory after `npm ci`:
//
//	npm ci && node gen.js
//
// The output depends only on this file and the qs version: the random
// queries come from a fixed seed, so running it again gives the same file.
'use strict';

const fs = require('fs');
const path = require('path');
const qs = require('qs');

const pinned = require('./package.json').dependencies.qs;
const installed = require('qs/package.json').version;
if (installed !== pinned) {
  throw new Error(`qs ${installed} is installed but package.json pins ${pinned}: run npm ci`);
}

// OAUTH is merged over every parsed query, as the SDK merges its oauth
// parameters over the query's: a query parameter of the same top-level name
// is replaced, not signed.
const OAUTH = {
  oauth_consumer_key: 'ck',
  oauth_nonce: 'nonce',
  oauth_signature_method: 'HMAC-SHA1',
  oauth_timestamp: '1712345678',
  oauth_token: 'tok',
  oauth_version: '1.0',
};

const SEED = 20240411;
const RANDOM_CASES = 1600;

// --- the SDK's signer, from the query on ---

// percentEncode is the SDK's RFC 3986 encoder: encodeURIComponent plus
// ! * ' ( ).
function percentEncode(str) {
  return encodeURIComponent(str)
    .replace(/!/g, '%21')
    .replace(/\*/g, '%2A')
    .replace(/'/g, '%27')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29');
}

// flatten is the SDK's map(): a list gives one pair per element, an object
// one pair per property named key[prop], anything else one pair. Deeper
// values are turned into strings later, by encodeURIComponent.
function flatten(obj) {
  const out = [];
  for (const [key, val] of Object.entries(obj)) {
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i += 1) {
        out.push([key, val[i]]);
      }
    } else if (typeof val === 'object') {
      for (const [propKey, propValue] of Object.entries(val)) {
        out.push([`${key}[${propKey}]`, propValue]);
      }
    } else {
      out.push([key, val]);
    }
  }
  return out;
}

function compare(a, b) {
  if (a > b) return 1;
  if (a < b) return -1;
  return 0;
}

// normalized is the SDK's normalized parameter string for a query.
function normalized(query) {
  const params = { ...qs.parse(query), ...OAUTH };
  return flatten(params)
    .map((p) => [percentEncode(p[0]), percentEncode(p[1] || '')])
    .sort((a, b) => compare(a[0], b[0]) || compare(a[1], b[1]))
    .map((p) => p.join('='))
    .join('&');
}

// --- queries ---

// mulberry32 is a small seeded PRNG, so the random queries are the same on
// every run.
function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(SEED);
const int = (n) => Math.floor(rand() * n);
const pick = (list) => list[int(list.length)];

// repeat joins n copies of piece with '&', each '#' replaced by the copy's
// index.
function repeat(piece, n) {
  const parts = [];
  for (let i = 0; i < n; i += 1) parts.push(piece.replace(/#/g, String(i)));
  return parts.join('&');
}

// Hand-picked cases: each rule of qs that matters for signing, and the
// corners where two rules meet.
const handPicked = [
  // splitting, names and values
  ['', 'empty query'],
  ['a=1&&b=2', 'empty pieces are skipped'],
  ['&', 'only a separator'],
  ['&=&', 'empty name and value'],
  ['=', 'empty name'],
  ['=x', 'empty name: dropped'],
  ['=x&y=1', 'empty name among others'],
  ['a=1;b=2', '; is not a separator'],
  ['k=v=w', 'the value keeps later ='],
  ['flag', 'no = gives ""'],
  ['a=', 'empty value'],
  ['a=&a=', 'two empty values'],
  ['a.b=1', 'a dot is a plain character'],
  ['eq(data.a,1)', 'RQL with a dot'],
  ['select(id,name)&limit(10)&eq(userId,abc)', 'RQL'],
  ['sort(+name)', '+ in RQL is a space'],
  ['eq(name,Hypertension%2520%252D%2520STAGE%25201)&limit(5,10)', 'double-encoded RQL'],
  ['in(id,a,b,c)&select(a,b)', 'RQL with lists'],
  ['eq(a[b],c)', 'RQL with brackets: text after the group is lost'],
  ['+', 'a lone +'],
  ['a+b=c+d', '+ in name and value'],
  ['q=a+b%20c', '+ and %20'],
  ['a=%2B', 'an encoded +'],
  ['a=%20%2B%25', 'encoded space, + and %'],
  ['a=%', 'a lone %'],
  ['a=%2', 'a short escape'],
  ['%=%', '% as name and value'],
  ['a=%41%ZZ', 'a bad escape keeps the whole text'],
  ['a=%C3', 'truncated UTF-8'],
  ['a=%ED%A0%80', 'an encoded surrogate'],
  ['a=%c3%a9', 'lower-case escapes'],
  ['%c3%a9=%e2%82%ac', 'non-ASCII name'],
  ['a=é&é=b', 'raw non-ASCII'],
  ['%5B', 'an encoded [ alone'],
  ['%5D', 'an encoded ] alone'],
  ['%5B=1', 'an encoded [ as the name'],
  ['%5B%5D=1', 'an encoded [] as the name'],
  ['a%5Bb%5D=c', 'encoded brackets'],
  ['a%5bb%5d=c', 'lower-case encoded brackets'],
  ['a%5B%5D=1&a%5b%5d=2', 'encoded [] twice'],
  ['a%255Bb%255D=c', 'double-encoded brackets are no brackets'],
  ['a=%5Bx%5D', 'encoded brackets in a value'],
  ['a=%5B%ZZ', 'encoded bracket next to a bad escape'],
  ['a[%5B]=1', 'encoded bracket inside a group'],
  // brackets
  ['a[b]=c', 'one group'],
  ['a[b]=1&a=2', 'object then string'],
  ['a=2&a[b]=1', 'string then object'],
  ['a[b]=1&a=', 'object then empty string'],
  ['a=&a[b]=1', 'empty string then object'],
  ['a[=b', 'unterminated group'],
  ['a[b=c', 'unterminated group with a value'],
  ['a[b[c]]=1', 'nested group'],
  ['a[[b]]=c', 'double brackets'],
  ['a[b]]=c', 'extra ]'],
  ['a[b][c]]=d', 'extra ] after two groups'],
  ['a[[]]=c', 'nested empty group'],
  ['a]b=c', '] without ['],
  ['a]=b', ']= splits'],
  ['a=x]=y', ']= after the first ='],
  ['a=x%5D=y', 'encoded ]= after the first ='],
  ['a[b]x[c]=d', 'text between groups'],
  ['a[b]x=d', 'text after the last group'],
  ['[a]=b', 'no parent'],
  ['[]=x', 'no parent, empty group'],
  ['[0]=x', 'no parent, index'],
  ['[0]=x&[1]=y', 'no parent, two indices'],
  ['[25]=x', 'no parent, index past the limit'],
  ['0=x&[0]=y', 'a plain 0 and [0]'],
  ['a[]=1&a[]=2', 'list by []'],
  ['a[0]=1&a[1]=2', 'list by index'],
  ['a[1]=x', 'sparse list'],
  ['a[1]=x&a[0]=y', 'indices out of order'],
  ['a[0]=x&a[0]=y', 'the same index twice'],
  ['a[0]=x&a=y', 'index then string'],
  ['a=y&a[0]=x', 'string then index'],
  ['a[]=1&a=2', '[] then string'],
  ['a=1&a[]=2', 'string then []'],
  ['a[]=&a[]=', 'empty values in a list'],
  ['a[][]=1', 'two empty groups'],
  ['a[][][]=1&a[][][]=2', 'three empty groups, twice'],
  ['a[1][]=x', 'index then []'],
  ['a[][0]=x', '[] then index'],
  ['a[21][]=x', 'index past the limit then []'],
  ['a[][21]=x', '[] then index past the limit'],
  ['a[b][c]=d', 'two levels: [object Object]'],
  ['a[0][b]=c', 'object in a list'],
  ['a[0][b]=1&a[0][c]=2', 'two properties of one list element'],
  ['a[][b]=1&a[][b]=2', 'objects pushed by []'],
  ['a[b][]=1&a[b][]=2', 'a list one level down'],
  ['a[b][0]=1&a[b][1]=2&a[b][3]=3', 'a sparse list one level down'],
  ['a[b][c][]=1&a[b][c][]=2', 'a list two levels down'],
  // depth
  ['a[1][2][3][4][5]=x', 'depth 5'],
  ['a[1][2][3][4][5][6]=x', 'depth 6'],
  ['a[b][c][d][e][f]=x', 'depth 5, names'],
  ['a[b][c][d][e][f][g]=x', 'depth 6, names'],
  ['a[b][c][d][e][f][g][h]=1', 'depth 7'],
  ['a[b][c][d][e][f][g]=1&a[b][c][d][e][f][h]=2', 'two keys past the depth'],
  ['[a][b][c][d][e][f]=x', 'depth 6 without parent'],
  // array limit
  ['a[19]=x', 'index 19'],
  ['a[20]=x', 'index 20: an object key'],
  ['a[21]=x', 'index 21'],
  ['a[007]=x', 'a non-canonical index'],
  ['a[-1]=x', 'a negative index'],
  ['a[-0]=x', 'minus zero'],
  ['a[+1]=x', 'a signed index'],
  ['a[ 1]=x', 'a space before the index'],
  ['a[1e3]=x', 'an exponent'],
  ['a[0x1]=x', 'hex'],
  ['a[4294967294]=x', 'the largest array index'],
  ['a[4294967295]=x', 'past the largest array index'],
  ['a[100000000000000000000]=x', 'an index that is exact as a double'],
  ['a[99999999999999999999]=x', 'an index that rounds as a double'],
  ['a[20]=x&a[21]=y', 'two indices past the limit'],
  ['a[21]=x&a=y', 'index past the limit then string'],
  ['a=y&a[21]=x', 'string then index past the limit'],
  ['a[0]=x&a[21]=y', 'index then index past the limit'],
  ['a[21]=y&a[0]=x', 'index past the limit then index'],
  ['a[21]=x&a[b]=y', 'index past the limit then name'],
  ['a[25]=x&a[26]=y&a=z', 'two large indices then a string'],
  ['a[25]=&a=1', 'empty value at a large index'],
  ['a[25]=x&a[]=y', 'large index then []'],
  ['a[]=y&a[25]=x', '[] then large index'],
  [repeat('a=#', 20), '20 repeats'],
  [repeat('a=#', 21), '21 repeats'],
  [repeat('a=#', 22), '22 repeats'],
  [repeat('a[]=#', 20), '20 repeats of []'],
  [repeat('a[]=#', 21), '21 repeats of []'],
  [repeat('a[#]=x', 20), '20 indices'],
  [repeat('a[#]=x', 22), '22 indices'],
  [repeat('a[b]=#', 21), '21 repeats of a[b]'],
  [repeat('a[b][]=#', 21), '21 repeats of a[b][]'],
  [`${repeat('a[]=#', 21)}&a=x`, 'overflow then string'],
  [`a=x&${repeat('a[]=#', 21)}`, 'string then overflow'],
  [`${repeat('a[]=#', 21)}&a[]=x`, 'overflow then []'],
  [`${repeat('a[]=#', 21)}&a[b]=x`, 'overflow then name'],
  [`a[b]=x&${repeat('a[]=#', 21)}`, 'name then overflow'],
  [`${repeat('a=#', 21)}&a[]=x`, 'repeat overflow then []'],
  [`${repeat('a[]=#', 20)}&a[0]=z&a=w`, 'a list grown past 20 by a merge, then a string'],
  [`${repeat('a[]=#', 20)}&a[1]=z&a[2]=y&a=w`, 'a list grown by two merges, then a string'],
  [`a=w&${repeat('a[]=#', 20)}`, 'string then 20 []'],
  [`${repeat('a[#]=x', 21)}&a=y`, '21 indices then a string'],
  // parameter limit
  [repeat('p#=#', 999), '999 parameters'],
  [repeat('p#=#', 1000), '1000 parameters'],
  [repeat('p#=#', 1001), '1001 parameters: the last is ignored'],
  [repeat('p#[]=#', 1001), '1001 bracketed parameters'],
  [repeat('a[]=#', 1001), '1001 repeats of a[]'],
  [`${'&'.repeat(999)}a=1&b=2`, '999 empty pieces'],
  [`${'&'.repeat(1000)}a=1&b=2`, '1000 empty pieces'],
  // prototype names
  ['constructor=1', 'constructor'],
  ['constructor=1&b=2', 'constructor among others'],
  ['__proto__=1', '__proto__'],
  ['__proto__[x]=1', '__proto__ with a group'],
  ['__proto__[]=1', '__proto__ with []'],
  ['a[__proto__]=1', '__proto__ as a group'],
  ['a[__proto__][b]=1', '__proto__ as a middle group'],
  ['a[b][__proto__]=1', '__proto__ as a deeper group'],
  ['a[b][c][d][e][f][__proto__]=1', '__proto__ past the depth'],
  ['a[__proto__=1', '__proto__ in an unterminated group'],
  ['[__proto__]=1', '__proto__ without parent'],
  ['toString=1', 'toString'],
  ['toString[a]=1', 'toString with a group'],
  ['a[toString]=1', 'toString as a group'],
  ['a[constructor]=1', 'constructor as a group'],
  ['valueOf[]=1', 'valueOf with []'],
  ['hasOwnProperty', 'hasOwnProperty without ='],
  ['a[hasOwnProperty]=1&a[b]=2', 'hasOwnProperty next to a kept group'],
  ['isPrototypeOf=1&propertyIsEnumerable=2&toLocaleString=3', 'more prototype names'],
  ['__defineGetter__=1&__lookupSetter__=2', 'legacy accessors'],
  ['Constructor=1&__proto=2&proto__=3', 'near misses are kept'],
  ['constructor.x=1', 'a prototype name with a suffix'],
  // key order: array indices first, in numeric order
  ['b=1&1=2&0=3', 'integer names'],
  ['4294967295=y&4294967294=x&b=z&1=w', 'the largest array index as a name'],
  ['b[]=1&1[]=2&0[]=3', 'integer names with []'],
  ['1=a&[1]=b&0=c&[0]=d', 'integer names and groups'],
  [`[1]=z&${repeat('1=#', 20)}`, 'the name 1 is merged before [1]: a list of 21, not an overflow object'],
  [`[b]=z&${repeat('b=#', 20)}`, 'the name b is merged after [b]: an overflow object'],
  // oauth parameters in the query
  ['oauth_nonce=evil', 'an oauth parameter is overwritten'],
  ['oauth_nonce=evil&oauth_x=1', 'unknown oauth_ names are kept'],
  ['oauth_nonce[x]=1', 'an overwritten object'],
  ['oauth_token[]=1&oauth_token[]=2', 'an overwritten list'],
  ['oauth_signature=x&oauth_callback=y', 'oauth_signature is no oauth parameter of the set'],
  ['oauth_version=2.0&oauth_timestamp=1', 'overwritten version and timestamp'],
  ['oauth%5Fnonce=evil', 'an encoded oauth name'],
];

// Pools for the random queries. Names collide often on purpose.
const names = [
  'a', 'a', 'a', 'a', 'b', 'b', 'c', 'x1', '', '0', '1', '20', 'a.b', 'a b', 'a+b',
  'eq(a', 'sort(+name)', 'select(id,name)', 'é', '%C3%A9', '%C3', '%ZZ', '%5B', '%5D', '%5b', ']', '[',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'proto', '__x',
  'oauth_nonce', 'oauth_token', 'oauth_x', 'oauth_version',
];
const groups = [
  '[]', '[]', '[]', '[0]', '[0]', '[1]', '[2]', '[5]', '[19]', '[20]', '[21]', '[25]', '[100]',
  '[b]', '[b]', '[c]', '[d]', '[007]', '[-1]', '[1e1]', '[ ]', '[+]', '[é]', '[a.b]', '[=]',
  '[__proto__]', '[constructor]', '[toString]', '[length]', '[prototype]',
  '[', ']', '[[b]]', '[b[c]]', '[[]]', '[b]]', '[]]', '[[]',
  '%5B%5D', '%5B0%5D', '%5Bb%5D', '%5b%5d', '%5B', '%5D', '%5Bb]', '[b%5D', '%255B%255D',
  'x', '.c', '(', ')',
];
const values = [
  '', '', '1', '2', '3', 'x', 'y', 'a+b', '%20', '%2B', '%25', '%ZZ', '%C3', '%C3%A9', 'é', 'v=w', ']=', ']=x',
  '[x]', '%5B', '%5Bx%5D', 'a,b', '(x)', "'!*", '~._-', 'true', 'null', 'undefined', '[object Object]',
  '__proto__', 'constructor', 'toString',
];
const chars = [
  'a', 'a', 'b', 'c', '0', '1', '2', '9', '[', '[', ']', ']', '[]', '[0]', '[20]', '[b]', '=', '=', '&', '&',
  '%5B', '%5D', '%5b', '%5d', '+', '.', '%', '%2', '%ZZ', '%C3', '%C3%A9', 'é', '(', ')', ',', ';', '_', '~',
  '__proto__', 'constructor', 'toString', 'oauth_nonce',
];

function randomName() {
  let name = pick(names);
  const r = rand();
  const depth = r < 0.5 ? 0 : r < 0.7 ? 1 : r < 0.82 ? 2 : r < 0.9 ? 3 : 3 + int(6);
  for (let i = 0; i < depth; i += 1) name += pick(groups);
  return name;
}

function randomPiece(name) {
  const r = rand();
  if (r < 0.08) return name;
  if (r < 0.12) return `${name}=`;
  return `${name}=${pick(values)}`;
}

function randomQuery() {
  const mode = rand();
  if (mode < 0.6) {
    // a few pieces with names from the pools
    const n = 1 + int(5);
    const pieces = [];
    for (let i = 0; i < n; i += 1) {
      // reuse an earlier name now and then, so that merges happen
      const reuse = pieces.length > 0 && rand() < 0.35;
      pieces.push(randomPiece(reuse ? pick(pieces).split('=')[0] : randomName()));
    }
    return pieces.join('&');
  }
  if (mode < 0.7) {
    // one name repeated around the array limit, mixed with other shapes
    const base = pick(['a', 'a[]', 'a[b]', 'a[b][]', 'a[0]', '[]', 'a[][]']);
    const n = 18 + int(6);
    const pieces = [];
    for (let i = 0; i < n; i += 1) pieces.push(`${base}=${i}`);
    for (let k = int(3); k > 0; k -= 1) {
      pieces.splice(int(pieces.length + 1), 0, randomPiece(`a${pick(groups)}`));
    }
    if (rand() < 0.5) pieces.splice(int(pieces.length + 1), 0, randomPiece('a'));
    return pieces.join('&');
  }
  // a string of characters and tokens that qs treats specially
  // (half of them without brackets)
  const pool = rand() < 0.5 ? chars : chars.filter((c) => !/[[\]]|%5[bd]/i.test(c));
  const len = 1 + int(20);
  let q = '';
  for (let i = 0; i < len; i += 1) q += pick(pool);
  return q;
}

// --- output ---

const cases = [];
const seen = new Set();
function add(query, note) {
  if (seen.has(query)) return;
  seen.add(query);
  const c = { query, params: normalized(query) };
  if (note) c.note = note;
  cases.push(c);
}
for (const [query, note] of handPicked) add(query, note);
const wanted = cases.length + RANDOM_CASES;
while (cases.length < wanted) add(randomQuery());

const hasBracket = (q) => /[[\]]|%5[bd]/i.test(q);
const header = {
  about: 'Queries and the normalized parameter string JS SDK 8.14.1 signs for each (qs.parse, '
    + 'oauth parameters merged over the result, flattened, encoded, sorted). Written by qsgen/gen.js; do not edit.',
  qs: installed,
  seed: SEED,
  oauth: OAUTH,
  count: cases.length,
  brackets: cases.filter((c) => hasBracket(c.query)).length,
};
let text = JSON.stringify(header, null, 1).replace(/\n}$/, ',\n "cases": [\n');
text += cases.map((c) => `  ${JSON.stringify(c)}`).join(',\n');
text += '\n ]\n}\n';
const out = path.join(__dirname, '..', 'qs_cases.json');
fs.writeFileSync(out, text);
console.log(`wrote ${out}: ${header.count} cases, ${header.brackets} with brackets`);
