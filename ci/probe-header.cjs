// Prints 1 when a system header exists (used by binding.gyp to switch optional backends on).
const fs = require('node:fs');
const path = require('node:path');
const header = process.argv[2];
const roots = ['/usr/include', '/usr/local/include', '/usr/include/x86_64-linux-gnu', '/usr/include/aarch64-linux-gnu'];
process.stdout.write(roots.some((r) => fs.existsSync(path.join(r, header))) ? '1' : '0');
