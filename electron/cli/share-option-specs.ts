// The options of shared folders and the display, as `burrow create`/`edit` list them. Apart from their
// parsing (share-options.ts), which loads the contract's schemas: every run of the CLI reads this file.

export const SHARE_OPTION_SPECS = {
  share: { type: 'string', multiple: true, help: 'HOST_DIR:GUEST_DIR[:ro] a folder of yours, owned inside by your user there (--share-user)' },
  'no-shares': { type: 'boolean', help: 'remove every shared folder (then add with --share)' },
  'share-user': { type: 'string', help: 'NAME|UID: who you are inside (default uid 1000 with your login name, made if missing); fixed once made' },
  display: { type: 'boolean', help: "graphical apps: pass your desktop's Wayland, X11, audio and GPU in (burrow run NAME -- APP)" },
  'display-parts': { type: 'string', help: 'only these of the display: wayland,x11,audio,gpu' },
  'no-display': { type: 'boolean', help: 'turn the display off' },
} as const;
