# Reports (issue 6): HTML, summary.json, JUnit, campaign serve.
#
# report_escape: hostile text rendered and opened in headless Chromium (no VMs).
# report_nightly: configs/ci/nightly.sh's baseline and archive rules (no VMs).
# report_browser: an 8-run campaign on the counter SUT, its report's figures
#   checked in Chromium against the journal; it runs on the counter
#   fixture's kept testbed (after campaign_counter, before counter_down),
#   about 2 minutes. Artefacts (results, screenshots): build/report-artefacts/.
integration_test(report_escape ../report/escape.sh)
integration_test(report_nightly ../report/nightly.sh)
integration_test(report_browser ../report/browser.sh
  FIXTURES_REQUIRED counter RESOURCE_LOCK vms)
