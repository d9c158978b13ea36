// An unref'd timer still fires while something else keeps the loop alive,
// and ref() undoes unref().
const log = (s) => console.log(s);
setTimeout(() => log('unref 10ms'), 10).unref();
setTimeout(() => log('ref 30ms'), 30);
setTimeout(() => log('unref then ref 50ms'), 50).unref().ref();
process.on('exit', () => log('exit'));
