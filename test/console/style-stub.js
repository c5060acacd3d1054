// Jest's stand-in for the console's CSS imports (jest.config.js moduleNameMapper).
module.exports = {};
