// Validates chairwatch's records offline:
//   node validate.js fhir BUNDLE.json...            each file is a FHIR R4 Bundle that the `fhir`
//                                                   package validates against the R4 definitions,
//                                                   plus the vital-signs profile's rules it skips
//   node validate.js record SCHEMA.json RECORD.json...  each file validates against the schema (ajv)
//   --expect-invalid (first argument): every file must FAIL (so the checks cannot pass vacuously)
// Exit 0 when every file came out as expected; the reasons are printed per file.
'use strict';
const fs = require('fs');
const { Fhir } = require('fhir');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const VITALS = 'http://hl7.org/fhir/StructureDefinition/';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

// What the vital-signs profiles require beyond the base resource (FHIR R4 vitalsigns, bp,
// heartrate, oxygensat): the fhir package validates the base R4 definitions only.
function vitalSignsProblems(obs, where) {
  const out = [];
  const profiles = (obs.meta && obs.meta.profile) || [];
  if (!profiles.some((p) => p.startsWith(VITALS))) return out;
  const codes = (obs.code.coding || []).filter((c) => c.system === 'http://loinc.org').map((c) => c.code);
  const cat = (obs.category || []).some((c) => (c.coding || []).some((x) => x.system === CATEGORY && x.code === 'vital-signs'));
  if (!cat) out.push(`${where}: no vital-signs category`);
  if (!obs.subject) out.push(`${where}: no subject`);
  if (!obs.effectiveDateTime && !obs.effectivePeriod) out.push(`${where}: no effective time`);
  const quantities = obs.valueQuantity ? [obs.valueQuantity] : (obs.component || []).map((c) => c.valueQuantity).filter(Boolean);
  for (const q of quantities)
    if (q.system !== 'http://unitsofmeasure.org' || !q.code) out.push(`${where}: a value is not in UCUM`);
  const need = {
    [VITALS + 'heartrate']: ['8867-4'],
    [VITALS + 'oxygensat']: ['2708-6', '59408-5'],
    [VITALS + 'bp']: ['85354-9'],
  };
  for (const p of profiles)
    for (const c of need[p] || []) if (!codes.includes(c)) out.push(`${where}: ${p} needs LOINC ${c}`);
  if (profiles.includes(VITALS + 'bp')) {
    const comp = (obs.component || []).map((c) => (c.code.coding || [])[0].code);
    for (const c of ['8480-6', '8462-4']) if (!comp.includes(c)) out.push(`${where}: BP panel without component ${c}`);
  }
  return out;
}

function bundleProblems(bundle) {
  const fhir = new Fhir();
  const result = fhir.validate(bundle, { errorOnUnexpected: true });
  const out = result.messages.filter((m) => m.severity === 'error')
    .map((m) => `${m.resourceId || ''} ${m.location}: ${m.message}`);
  if (bundle.resourceType !== 'Bundle') return out.concat(['not a Bundle']);
  const urls = new Set();
  for (const [i, e] of (bundle.entry || []).entries()) {
    if (urls.has(e.fullUrl)) out.push(`entry[${i}]: fullUrl ${e.fullUrl} twice`);
    urls.add(e.fullUrl);
  }
  // Every reference to another entry resolves inside the Bundle.
  const walk = (v, where) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
    else if (v && typeof v === 'object') {
      if (typeof v.reference === 'string' && v.reference.startsWith('urn:uuid:') && !urls.has(v.reference))
        out.push(`${where}: reference ${v.reference} is not in the Bundle`);
      for (const [k, x] of Object.entries(v)) walk(x, `${where}.${k}`);
    }
  };
  (bundle.entry || []).forEach((e, i) => {
    walk(e.resource, `entry[${i}]`);
    if (e.resource && e.resource.resourceType === 'Observation') out.push(...vitalSignsProblems(e.resource, `entry[${i}]`));
  });
  return out;
}

function recordValidator(schemaFile) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
  return (rec) => (validate(rec) ? [] : validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}`));
}

function main(argv) {
  let args = argv.slice(2);
  const expectInvalid = args[0] === '--expect-invalid';
  if (expectInvalid) args = args.slice(1);
  const mode = args.shift();
  let check;
  if (mode === 'fhir') check = bundleProblems;
  else if (mode === 'record') check = recordValidator(args.shift());
  else {
    console.error('usage: validate.js [--expect-invalid] fhir FILE... | record SCHEMA FILE...');
    return 2;
  }
  if (args.length === 0) {
    console.error('no files given');
    return 2;
  }
  let failed = 0;
  for (const file of args) {
    const problems = check(JSON.parse(fs.readFileSync(file, 'utf8')));
    const ok = problems.length === 0;
    if (ok === expectInvalid) failed++;
    console.log(`${ok === expectInvalid ? 'FAIL' : 'ok  '} ${file}: ${ok ? 'valid' : problems.length + ' problem(s)'}`);
    for (const p of problems.slice(0, 20)) console.log(`     ${p}`);
  }
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv);
