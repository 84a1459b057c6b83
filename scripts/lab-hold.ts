// Opens a kernel lab, prints its namespaces as one JSON line and waits to be killed. The lab
// cleanup tests use it to check that an interrupted run leaves nothing behind.
import { openLab } from '../lab/index.ts';

const lab = await openLab();
process.stdout.write(JSON.stringify(lab.namespaces) + '\n');
setInterval(() => undefined, 1 << 30);
