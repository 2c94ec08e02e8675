#include "load.h"

#include "faults.h"
#include "oracles.h"

int load_campaign_config(const char *path, struct config **ret, struct err *e)
{
	struct config *cfg = NULL;

	if (config_load(path, &cfg, e) < 0)
		return -1;
	if (config_check_faults(cfg, faults_check, e) < 0 ||
	    config_check_oracles(cfg, oracles_check, e) < 0) {
		config_free(cfg);
		return -1;
	}
	*ret = cfg;
	return 0;
}
