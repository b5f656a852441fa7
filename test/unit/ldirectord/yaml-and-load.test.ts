import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { configCandidates, loadLdirectordConfig, locateConfig } from '../../../src/ldirectord/load';
import type { LdirectordConfig } from '../../../src/ldirectord/model';
import { tempDir } from '../../helpers/tmp';
import { stripSources } from '../config/helpers';
import { LD_FIXTURES, SERVICES, codes, errors, parse, valid } from './helpers';

const read = (name: string) => fs.readFileSync(path.join(LD_FIXTURES, name), 'utf8');

/** The model without positions and file names, for comparing the two forms. */
function comparable(config: LdirectordConfig): unknown {
  return stripSources({ ...config, file: '', format: '' });
}

test('YAML: the same model as the ldirectord.cf form', () => {
  const cf = valid(read('director.cf'), 'director.cf');
  const yaml = valid(read('director.yaml'), 'director.yaml');
  assert.equal(yaml.format, 'yaml');
  assert.equal(cf.format, 'ldirectord.cf');
  assert.deepEqual(comparable(yaml), comparable(cf));
  assert.equal(yaml.virtuals[0]?.reals[1]?.at.line, 12, 'positions point into the YAML');
});

test('YAML: the same validation and codes, with YAML lines', () => {
  const { diags } = parse(
    ['checktimeout: soon', 'real: 192.0.2.11 gate', 'directors:', '  - virtual: 192.0.2.100:80', '    real: 192.0.2.11 direct', '    autoreload: yes', '    frobnicate: 1', ''].join('\n'),
    'x.yaml',
  );
  assert.deepEqual(errors(diags), [['LDCF_BAD_TIME', 1], ['LDCF_VIRTUAL_ONLY', 2], ['LDCF_GLOBAL_ONLY', 6], ['LDCF_UNKNOWN_DIRECTIVE', 7], ['LDCF_BAD_REAL', 5]]);
});

test('YAML: structure errors', () => {
  assert.deepEqual(codes(parse('directors: [ {real: 192.0.2.11 gate} ]\n', 'x.yaml').diags), [['LDCF_YAML_MISSING_KEY', 1], ['LDCF_NO_VIRTUAL', 0]]);
  assert.deepEqual(errors(parse('directors: 3\n', 'x.yaml').diags), [['LDCF_YAML_BAD_TYPE', 1]]);
  assert.deepEqual(errors(parse('- a\n- b\n', 'x.yaml').diags), [['LDCF_YAML_BAD_TYPE', 1]]);
  assert.deepEqual(errors(parse('virtual: 192.0.2.100:80\n', 'x.yaml').diags), [['LDCF_YAML_BAD_TYPE', 1]]);
  assert.deepEqual(errors(parse('checktimeout: {a: 1}\n', 'x.yaml').diags), [['LDCF_YAML_BAD_TYPE', 1]]);
  assert.deepEqual(errors(parse('checktimeout: [1\n', 'x.yaml').diags).map(([c]) => c), ['LDCF_YAML_SYNTAX']);
  assert.deepEqual(errors(parse('directors:\n  - virtual: 192.0.2.100:80\n    virtual6: "[2001:db8::1]:80"\n    real: 192.0.2.11 gate\n', 'x.yaml').diags), [['LDCF_YAML_BAD_TYPE', 3]]);
});

test('lookup order: HADIR/NAME, HADIR/conf/NAME, then the path', (t) => {
  const dir = tempDir(t);
  const haDir = path.join(dir, 'ha.d');
  fs.mkdirSync(path.join(haDir, 'conf'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'local.cf'), 'x');
  assert.deepEqual(configCandidates('www.cf', haDir, dir), [path.join(haDir, 'www.cf'), path.join(haDir, 'conf', 'www.cf'), path.join(dir, 'www.cf')]);
  assert.equal(locateConfig('local.cf', haDir, dir), path.join(dir, 'local.cf'));
  fs.writeFileSync(path.join(haDir, 'conf', 'local.cf'), 'x');
  assert.equal(locateConfig('local.cf', haDir, dir), path.join(haDir, 'conf', 'local.cf'));
  fs.writeFileSync(path.join(haDir, 'local.cf'), 'x');
  assert.equal(locateConfig('local.cf', haDir, dir), path.join(haDir, 'local.cf'));
  assert.equal(locateConfig('missing.cf', haDir, dir), null);
});

test('loadLdirectordConfig: host names resolved before parsing; a missing file is reported', async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'web.cf'), 'virtual=lbvip:http\n\treal=web-a:http gate\n\treal=web-b gate\n\treal=nxhost gate\n');
  const asked: string[] = [];
  const lookup = async (name: string, af: string) => {
    asked.push(`${af}:${name}`);
    return ({ lbvip: '198.51.100.1', 'web-a': '198.51.100.11', 'web-b': '198.51.100.12' } as Record<string, string>)[name] ?? null;
  };
  const r = await loadLdirectordConfig('web.cf', { haDir: path.join(dir, 'none'), cwd: dir, lookup, services: SERVICES, checkFilesystem: false });
  assert.deepEqual(codes(r.diagnostics.all), [['LDCF_RESOLVE', 4]]);
  assert.deepEqual(asked.sort(), ['inet:lbvip', 'inet:nxhost', 'inet:web-a', 'inet:web-b']);
  assert.equal(r.file, path.join(dir, 'web.cf'));
  assert.match(r.hash ?? '', /^[0-9a-f]{64}$/);

  fs.writeFileSync(path.join(dir, 'web.cf'), 'virtual=lbvip:http\n\treal=web-a:http gate\n');
  const ok = await loadLdirectordConfig('web.cf', { haDir: path.join(dir, 'none'), cwd: dir, lookup, services: SERVICES, checkFilesystem: false });
  assert.deepEqual(ok.config?.virtuals.map((v) => [v.id, v.reals.map((x) => x.address)]), [['tcp:198.51.100.1:80', ['198.51.100.11']]]);

  const missing = await loadLdirectordConfig('nope.cf', { haDir: path.join(dir, 'none'), cwd: dir });
  assert.deepEqual(codes(missing.diagnostics.all), [['LDCF_FILE_MISSING', 0]]);
  assert.equal(missing.config, null);
});

test('the system resolver answers literal-free names from /etc/hosts (localhost)', async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'lo.cf'), 'virtual=127.0.0.1:8080\n\treal=localhost:8080 masq\n\tchecktype=connect\n');
  const r = await loadLdirectordConfig(path.join(dir, 'lo.cf'), { haDir: dir, checkFilesystem: false });
  assert.deepEqual(r.config?.virtuals[0]?.reals.map((x) => x.address), ['127.0.0.1']);
});
