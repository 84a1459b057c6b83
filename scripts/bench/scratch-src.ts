import * as o from '../../oracles/linux/ipv4-options.ts';
import * as fc from 'fast-check';
console.log(o.checkIpv4Options.toString().slice(0, 300));
