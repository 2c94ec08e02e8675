/* config_sections.h - filled by the config module for the engine sections. */
