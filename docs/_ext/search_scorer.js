/* Search scorer (conf.py: html_search_scorer): Sphinx's default weights, plus one tweak.
 * An index entry that points at an identity's anchor (docs/_ext/identity_site.py, {identity-index})
 * would be listed under its page title only ("matrix"); name the identity in the result instead
 * ("matrix > matrix.det_X"), as Sphinx does for section-title hits. */
var Scorer = {
  score: (result) => {
    const [docname, title, anchor, descr, score, filename, kind] = result;
    if (kind === "index" && /^#[A-Za-z_]\w*\.[A-Za-z_]\w*$/.test(anchor) && !title.includes(" > ")) {
      result[1] = `${title} > ${anchor.slice(1)}`;
    }
    return score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
