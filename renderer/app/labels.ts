/**
 * Every accessible name and visible text the tests rely on, in one place: the
 * renderer's components use these, and the browser tests (test/e2e) find
 * controls by them (role + name, as a person using a screen reader would).
 * Changing a label here changes both sides.
 */
export const L = {
  appTitle: 'Coffer',

  // Start: create or open a vault
  createRegion: 'Create a vault',
  createPath: 'Vault file',
  createPassphrase: 'Passphrase',
  createRepeat: 'Repeat passphrase',
  strengthMeter: 'Passphrase strength',
  createButton: 'Create vault',
  openRegion: 'Open a vault',
  recentList: 'Recent vaults',
  openPath: 'Vault file to open',
  openPassphrase: 'Passphrase for the vault',
  openButton: 'Open vault',
  dropZone: 'Drop a .coffer file here',

  // Unlock (a vault was open, then locked)
  unlockRegion: 'Unlock the vault',
  unlockPassphrase: 'Passphrase',
  unlockButton: 'Unlock',
  otherVaultButton: 'Open another vault',

  // Main window
  lockButton: 'Lock',
  newSecretButton: 'New secret',
  search: 'Search secrets',
  sortBy: 'Sort by',
  secretsTab: 'Secrets',
  deletedTab: 'Deleted',
  secretsList: 'Secrets',
  deletedList: 'Deleted secrets',
  emptySecrets: 'No secrets yet. Choose New secret to add one.',
  emptyDeleted: 'Nothing deleted. Deleted secrets stay here, recoverable, for the vault’s retention period.',
  chipDisabled: 'Disabled',
  chipExpired: 'Expired',
  chipExpiresSoon: 'Expires soon',
  chipNotYetValid: 'Not yet valid',

  // Secret detail
  detailRegion: (name: string): string => `Secret ${name}`,
  versionsTable: 'Versions',
  revealVersion: (short: string): string => `Reveal value of version ${short}`,
  hideVersion: (short: string): string => `Hide value of version ${short}`,
  copyVersion: (short: string): string => `Copy value of version ${short}`,
  disableVersion: (short: string): string => `Disable version ${short}`,
  enableVersion: (short: string): string => `Enable version ${short}`,
  editVersion: (short: string): string => `Edit attributes of version ${short}`,
  revealedValue: (short: string): string => `Value of version ${short}`,
  newVersionButton: 'New version',
  deleteSecretButton: 'Delete secret',

  // Dialogs
  newSecretDialog: 'New secret',
  newVersionDialog: (name: string): string => `New version of ${name}`,
  editDialog: (short: string): string => `Edit version ${short}`,
  fieldName: 'Name',
  fieldValue: 'Value',
  fieldContentType: 'Content type',
  fieldTags: 'Tags (one key=value per line)',
  fieldEnabled: 'Enabled',
  fieldNotBefore: 'Not before',
  fieldExpires: 'Expires',
  saveButton: 'Save',
  cancelButton: 'Cancel',
  deleteDialog: (name: string): string => `Delete secret ${name}?`,
  deleteConfirm: 'Delete',
  recoverButton: (name: string): string => `Recover ${name}`,
  purgeButton: (name: string): string => `Purge ${name}`,
  purgeDialog: (name: string): string => `Purge ${name} permanently?`,
  purgeConfirm: 'Purge',

  // Messages (role=status / role=alert)
  copied: (seconds: number): string => `Copied. The clipboard will be cleared in ${seconds} seconds.`,
  wrongPassphrase: 'The passphrase is wrong.',

  // Added with the renderer (issue 3): texts the components need beyond the ones above.
  loading: 'Loading…',
  vaultPathHeading: 'Vault',
  passphraseMismatch: 'The two passphrases differ.',
  strengthWords: ['very weak', 'weak', 'fair', 'strong', 'very strong'] as readonly string[],
  strengthText: (word: string, bits: number): string => `${word} (about ${bits} bits)`,
  createPathHint: 'An absolute path ending in .coffer, for example /home/me/work.coffer',
  chooseButton: 'Choose…',
  chooseNewPath: 'Choose where to create the vault',
  chooseOpenPath: 'Choose a vault file to open',
  recentMissing: 'file not found',
  noRecent: 'No recent vaults.',
  dropHint: 'Drop a .coffer file here to fill in its path.',
  dropNameOnly: (name: string): string => `Only the file name (${name}) was available: complete the path.`,
  openRecent: (path: string): string => `Use ${path}`,
  unlockPathLabel: 'Vault file:',
  viewTabs: 'Views',
  sortName: 'Name',
  sortUpdated: 'Last updated',
  sortExpires: 'Expiry date',
  noMatch: 'No secret matches the search. Clear the search to see every secret.',
  selectHint: 'Choose a secret in the list to see its versions.',
  colVersion: 'Version',
  colStatus: 'Status',
  colCreated: 'Created',
  colUpdated: 'Updated',
  colNotBefore: 'Not before',
  colExpires: 'Expires',
  colContentType: 'Content type',
  colTags: 'Tags',
  colActions: 'Actions',
  chipEnabled: 'Enabled',
  deleteExplain: (days: number | null): string =>
    days === null
      ? 'The secret and all its versions move to Deleted, where you can recover or purge them.'
      : `The secret and all its versions move to Deleted, where you can recover them for ${days} days.`,
  purgeExplain: 'Purging removes every version for good. This cannot be undone.',
  deletedOn: (date: string): string => `Deleted ${date}`,
  purgeOn: (date: string): string => `purged automatically ${date}`,
  tagsError: (line: number): string => `Tags line ${line}: write key=value.`,
  dateError: (field: string): string => `${field}: enter a valid date and time.`,
  nameRequired: 'Name: enter a name of letters, digits and dashes.',
  settingsButton: 'Settings',
  settingsDialog: 'Settings',
  settingsAutoLock: 'Lock after idle (minutes)',
  settingsAutoLockHint: 'The vault locks itself after this long without a key press or a mouse move.',
  settingsClipboard: 'Clear copied values after (seconds)',
  settingsClipboardHint: 'Unless you have copied something else since.',
  settingsRange: (field: string, min: number, max: number): string => `${field}: enter a whole number from ${min} to ${max}.`,
  secretCount: (n: number): string => (n === 1 ? '1 secret' : `${n} secrets`),
} as const;

/** The first 8 characters of a version id, as shown in the UI. */
export const shortVersion = (version: string): string => version.slice(0, 8);
