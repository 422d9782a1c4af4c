// What the hosts of a model's files say about licences, next to the model's
// own licence: a weight file's licence is its author's, but where it is
// fetched from can carry a note of its own (an AGPL repository that ships
// BSD weights, a repository whose licence file calls unlisted files
// UNLICENSED). Shown by `models list` and `models info` so that nobody has
// to read sources.json to learn it.
import type { ModelDownload, ModelSource } from '../../common/model-manifest.ts';

export interface SourceLicenceNote {
  /** Where the note applies: "github.com/owner/repo" or "npm package@version". */
  host: string;
  licence: string;
  /** The note says the files are unlicensed or carry no licence file: worth a look before redistributing. */
  caution: boolean;
}

function hostLabel(source: ModelSource): string {
  if (source.kind === 'npm-tarball') return `npm ${source.package}`;
  const match = /^https:\/\/raw\.githubusercontent\.com\/([^/]+\/[^/]+)\//.exec(source.url);
  return match ? `github.com/${match[1]}` : new URL(source.url).host;
}

/** One note per distinct host and licence text, in the catalog's order. */
export function sourceLicenceNotes(entry: Pick<ModelDownload, 'files'>): SourceLicenceNote[] {
  const notes = new Map<string, SourceLicenceNote>();
  for (const file of entry.files) {
    for (const source of file.sources) {
      if (!source.hostLicence) continue;
      const host = hostLabel(source);
      const key = `${host}\0${source.hostLicence}`;
      if (!notes.has(key)) notes.set(key, { host, licence: source.hostLicence, caution: /unlicensed|no licen[cs]e/i.test(source.hostLicence) });
    }
  }
  return [...notes.values()];
}
