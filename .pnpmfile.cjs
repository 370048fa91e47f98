// Dependencies declared by packages that the fleet never loads at run time. Dropping them keeps
// production installs, and so the service images, to what runs (each entry says why).
const UNUSED = {
  // @food/docs serves only `redoc/bundles/redoc.standalone.js`, a browser bundle with everything
  // inlined; the React, MobX and styled-components it needs as a library (~55 MB) never load.
  redoc: { dependencies: '*', peerDependencies: '*' },
}

function readPackage(pkg) {
  const unused = UNUSED[pkg.name]
  if (!unused) return pkg
  for (const [field, names] of Object.entries(unused)) {
    if (!pkg[field]) continue
    for (const name of names === '*' ? Object.keys(pkg[field]) : names) {
      delete pkg[field][name]
      if (field === 'peerDependencies' && pkg.peerDependenciesMeta) delete pkg.peerDependenciesMeta[name]
    }
  }
  return pkg
}

module.exports = { hooks: { readPackage } }
