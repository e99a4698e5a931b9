/**
 * Global `default-path`: the directory relative file names of the configuration are read from
 * (HAProxy's cfg_apply_default_path). HAProxy chdir()s while parsing; Switchyard never changes
 * its directory (a `-c` check or a reload's spare parse shares the process), so the parser keeps
 * the directory and keywords naming a file read while parsing join it to relative names.
 */

export type DefaultPathMode = 'current' | 'config' | 'parent' | 'origin';

export const DEFAULT_PATH_MODES: readonly DefaultPathMode[] = ['current', 'config', 'parent', 'origin'];

/**
 * The directory relative names are read from while parsing `file`, relative to the process's
 * directory; '' means the process's directory itself. As HAProxy, the configuration file's
 * directory is its name up to the last slash, so `/haproxy.cfg` and `haproxy.cfg` both give ''.
 */
export function defaultDirectory(mode: DefaultPathMode, file: string, origin: string): string {
  const slash = file.lastIndexOf('/');
  const directory = slash > 0 ? file.slice(0, slash) : '';
  switch (mode) {
    case 'current':
      return '';
    case 'origin':
      return origin;
    case 'config':
      return directory;
    case 'parent':
      return directory === '' ? '..' : `${directory}/..`;
  }
}

/** `path` as read from `directory` ('' = the process's directory); absolute paths are kept. */
export function resolveFrom(directory: string, path: string): string {
  if (directory === '' || path === '' || path.startsWith('/')) return path;
  return directory.endsWith('/') ? `${directory}${path}` : `${directory}/${path}`;
}
