import { ConfigError, loadConfig } from '../src/config/config.js';

/**
 * `npm start`'s first step: validates the configuration (JUNCTION_CONFIG and the
 * environment) from source in a second, so a bad key is reported before the build.
 */
try {
  loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
