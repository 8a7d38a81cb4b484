// pa11y's puppeteer: never download a browser of its own (npm ci's postinstall would fetch Chrome,
// which this network refuses); the tests launch Debian's Chromium.
module.exports = {skipDownload: true, executablePath: "/usr/bin/chromium"};
