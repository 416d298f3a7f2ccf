/**
 * The OS file pickers behind `dialog:chooseVault` and `dialog:chooseNewVault`
 * (issue 3: "open one (recent vaults list, file picker, drag-and-drop)",
 * "create a vault (file location ...)"). Main shows them: a sandboxed renderer
 * has no file system, and a path typed into a page is only ever a string that
 * main checks again.
 *
 * Electron's `dialog` is injected as the subset used here (ARCHITECTURE.md
 * "Testing without the Electron binary"); tests pass a fake that answers as a
 * person would (a path, or cancel).
 */
/** What dialog.showOpenDialog / showSaveDialog resolve to (Electron docs "dialog"). */
export interface OpenDialogResult {
  canceled: boolean;
  filePaths: string[];
}
export interface SaveDialogResult {
  canceled: boolean;
  filePath?: string;
}

export interface FileFilter {
  name: string;
  extensions: string[];
}

/**
 * The two calls of Electron's `dialog`, already bound to the app window (the
 * entry passes `(o) => dialog.showOpenDialog(window, o)`) so the picker is
 * modal to it.
 */
export interface DialogLike {
  showOpenDialog(options: {
    title: string;
    buttonLabel: string;
    properties: ('openFile' | 'dontAddToRecent')[];
    filters: FileFilter[];
  }): Promise<OpenDialogResult>;
  showSaveDialog(options: {
    title: string;
    buttonLabel: string;
    defaultPath?: string;
    filters: FileFilter[];
    properties: ('createDirectory' | 'showOverwriteConfirmation' | 'dontAddToRecent')[];
  }): Promise<SaveDialogResult>;
}

/** What `certificates:export` writes, by format: the file type the save dialog offers. */
export const CERTIFICATE_FILTERS: Readonly<Record<'PEM' | 'DER' | 'PFX', FileFilter>> = {
  PEM: { name: 'PEM certificate', extensions: ['pem', 'crt'] },
  DER: { name: 'DER certificate', extensions: ['cer', 'der'] },
  PFX: { name: 'PKCS#12 (PFX)', extensions: ['pfx', 'p12'] },
};

/** DECISIONS.md "Files and folders": vault files end in `.coffer`. */
export const VAULT_FILTERS: FileFilter[] = [{ name: 'Coffer vaults', extensions: ['coffer'] }];

export class DialogService {
  constructor(private readonly dialog: DialogLike) {}

  /** A vault to open, or null if the user cancelled. */
  async chooseVault(): Promise<string | null> {
    const r = await this.dialog.showOpenDialog({
      title: 'Open a vault',
      buttonLabel: 'Choose',
      // dontAddToRecent (Windows): the OS's recent list would name vault files for anyone who looks.
      properties: ['openFile', 'dontAddToRecent'],
      filters: [...VAULT_FILTERS, { name: 'All files', extensions: ['*'] }],
    });
    const path = r.canceled ? undefined : r.filePaths[0];
    return path === undefined || path === '' ? null : path;
  }

  /**
   * Where to write an exported certificate, or null if cancelled. The dialog
   * starts at `<name>.<extension>` and asks before overwriting a file.
   */
  async chooseCertificateExport(name: string, format: 'PEM' | 'DER' | 'PFX'): Promise<string | null> {
    const filter = CERTIFICATE_FILTERS[format];
    const r = await this.dialog.showSaveDialog({
      title: `Export certificate ${name} as ${format}`,
      buttonLabel: 'Export',
      defaultPath: `${name}.${filter.extensions[0]!}`,
      filters: [filter],
      properties: ['createDirectory', 'showOverwriteConfirmation', 'dontAddToRecent'],
    });
    if (r.canceled || r.filePath === undefined || r.filePath === '') return null;
    return r.filePath;
  }

  /**
   * Where to create a new vault, or null if cancelled. A name typed without
   * the extension gets `.coffer` (GTK's save dialog does not add it). An
   * existing file is not overwritten: creating over it fails with VaultExists.
   */
  async chooseNewVault(defaultPath?: string): Promise<string | null> {
    const r = await this.dialog.showSaveDialog({
      title: 'Create a vault',
      buttonLabel: 'Choose',
      ...(defaultPath === undefined ? {} : { defaultPath }),
      filters: VAULT_FILTERS,
      properties: ['createDirectory', 'showOverwriteConfirmation', 'dontAddToRecent'],
    });
    if (r.canceled || r.filePath === undefined || r.filePath === '') return null;
    // Exactly `.coffer`, as the contract's vault:create checks (a `.COFFER` name gets the extension too).
    return r.filePath.endsWith('.coffer') ? r.filePath : `${r.filePath}.coffer`;
  }
}
